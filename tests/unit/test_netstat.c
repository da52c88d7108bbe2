/* Unit tests for common/netstat: option parsing, and replay of the captured
 * /proc/net files against the real net-tools output captured with them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netstat.h"
#include "procnet.h"
#include "tcpstate.h"
#include "fixture.h"

struct rows {
	struct sock_row r[256];
	size_t n;
	size_t bad;
};

static int collect(void *ctx, const struct sock_row *r)
{
	struct rows *rs = ctx;

	if (rs->n == sizeof rs->r / sizeof rs->r[0])
		return -ENOSPC;
	rs->r[rs->n++] = *r;
	return 0;
}

static void complain(void *ctx, size_t lineno, const char *expected)
{
	struct rows *rs = ctx;

	print_error("bad line %zu: %s\n", lineno, expected);
	rs->bad++;
}

/* Programs from procmap.tsv: inode -> pid, program (net-tools style). */
struct owner {
	uint64_t inode;
	int32_t pid;
	char program[128];
};

static size_t load_procmap(struct owner *o, size_t max)
{
	size_t len, n = 0;
	char *text = netstat_fixture("procmap.tsv", &len), *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;

		if (strncmp(line, "inode\t", 6) == 0)
			continue;
		assert_non_null(tab2);
		assert_true(n < max);
		o[n].inode = strtoull(line, NULL, 10);
		o[n].pid = (int32_t)strtol(tab1 + 1, NULL, 10);
		snprintf(o[n].program, sizeof o[n].program, "%s", tab2 + 1);
		n++;
	}
	free(text);
	return n;
}

static struct owner owners[256];

/* All captured rows in net-tools' reading order, with owners attached. */
static void load_rows(struct rows *rs)
{
	size_t no = load_procmap(owners, sizeof owners / sizeof owners[0]);

	memset(rs, 0, sizeof *rs);
	for (size_t i = 0; i < N_PROC_FIXTURES; i++) {
		struct row_sink sink = {collect, complain, rs};
		size_t len;
		char *text = netstat_fixture(proc_fixtures[i].file, &len);
		long got = procnet_parse(text, len, proc_fixtures[i].proto, proc_fixtures[i].family, false, &sink);

		assert_true(got > 0);
		free(text);
	}
	assert_int_equal(rs->bad, 0);
	for (size_t i = 0; i < rs->n; i++)
		for (size_t k = 0; k < no; k++)
			if (rs->r[i].inode && owners[k].inode == rs->r[i].inode) {
				rs->r[i].pid = owners[k].pid;
				rs->r[i].program = owners[k].program;
			}
}

static void render_all(const struct netstat_opts *o, const struct rows *rs, struct buf *out)
{
	assert_int_equal(netstat_render_header(o, out), 0);
	for (size_t i = 0; i < rs->n; i++)
		assert_true(netstat_render_row(o, &rs->r[i], out) >= 0);
}

/* THE test: every captured option set, byte for byte, up to the UNIX part. */
static void test_replay_captures(void **state)
{
	static struct rows rs;
	size_t olen, checked = 0;
	char *opts = netstat_fixture("options.txt", &olen), *save = NULL;

	(void)state;
	load_rows(&rs);
	assert_int_equal(rs.n, 28);
	for (char *line = strtok_r(opts, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *bar = strchr(line, '|'), name[128];
		struct netstat_opts o;
		const char *bad;
		struct buf out = BUF_INIT;
		size_t elen;
		char *expect, *cut;

		assert_non_null(bar);
		*bar = '\0';
		snprintf(name, sizeof name, "netstat_%s.txt", line);
		expect = netstat_fixture(name, &elen);
		cut = strstr(expect, "Active UNIX domain sockets");
		if (cut)
			*cut = '\0';
		assert_int_equal(netstat_opts_parse(bar + 1, &o, &bad), 0);
		render_all(&o, &rs, &out);
		if (strcmp(out.data, expect) != 0) {
			print_error("netstat %s differs:\n--- expected\n%s--- got\n%s", bar + 1,
				    expect, out.data);
			fail();
		}
		checked++;
		free(expect);
		buf_fini(&out);
	}
	assert_int_equal(checked, 17);
	free(opts);
}

static void test_opts_accept(void **state)
{
	struct netstat_opts o;
	const char *bad = "x";

	(void)state;
	assert_int_equal(netstat_opts_parse("-na", &o, &bad), 0);
	assert_int_equal(o.flags, NS_NUMERIC | NS_ALL);
	assert_null(bad);
	assert_int_equal(netstat_opts_parse("-aultnp", &o, &bad), 0);
	assert_int_equal(o.flags, NS_ALL | NS_UDP | NS_LISTEN | NS_TCP | NS_NUMERIC | NS_PROG);
	assert_int_equal(netstat_opts_parse("-n -p", &o, &bad), 0);
	assert_int_equal(o.flags, NS_NUMERIC | NS_PROG);
	assert_int_equal(netstat_opts_parse("-plan", &o, &bad), 0);
	assert_int_equal(o.flags, NS_PROG | NS_LISTEN | NS_ALL | NS_NUMERIC);
	assert_int_equal(netstat_opts_parse("--tcp --numeric -a", &o, &bad), 0);
	assert_int_equal(o.flags, NS_TCP | NS_NUMERIC | NS_ALL);
	assert_int_equal(netstat_opts_parse("  -naW\t-eo ", &o, &bad), 0);
	assert_int_equal(o.flags, NS_NUMERIC | NS_ALL | NS_WIDE | NS_EXTEND | NS_TIMERS);
	assert_int_equal(netstat_opts_parse("--raw --udp --listening --programs --wide --extend "
					    "--timers --all --numeric",
					    &o, &bad),
			 0);
	assert_int_equal(o.flags, NS_RAW | NS_UDP | NS_LISTEN | NS_PROG | NS_WIDE | NS_EXTEND |
					  NS_TIMERS | NS_ALL | NS_NUMERIC);
}

static void test_opts_reject(void **state)
{
	static const struct {
		const char *args, *bad;
	} cases[] = {
		{"-r", "-r"},          {"-s", "-s"},          {"-i", "-i"},
		{"-c", "-c"},          {"-na; rm", "-na; rm"}, {"-na ; rm -rf /", "; rm -rf /"},
		{"-nr", "-nr"},        {"-na -x", "-x"},      {"--route -n", "--route -n"},
		{"-n --numer", "--numer"}, {"-n -", "-"},     {"-n --", "--"},
		{"na", "na"},          {"-na4", "-na4"},      {"-na|grep", "-na|grep"},
		{"-a", "-n"},          {"", "-n"},            {"-n -A inet", "-A inet"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct netstat_opts o;
		const char *bad = NULL;

		assert_int_equal(netstat_opts_parse(cases[i].args, &o, &bad), -EINVAL);
		assert_non_null(bad);
		assert_string_equal(bad, cases[i].bad);
	}
}

static struct sock_row v6row(const char *l, uint16_t lp, const char *r, uint16_t rp)
{
	struct sock_row row;

	memset(&row, 0, sizeof row);
	row.proto = IPPROTO_TCP;
	row.family = AF_INET6;
	row.state = ST_ESTABLISHED;
	row.local.family = row.remote.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, l, row.local.a), 1);
	assert_int_equal(inet_pton(AF_INET6, r, row.remote.a), 1);
	row.lport = lp;
	row.rport = rp;
	return row;
}

static void render1(const char *args, const struct sock_row *r, struct buf *out)
{
	struct netstat_opts o;
	const char *bad;

	buf_reset(out);
	assert_int_equal(netstat_opts_parse(args, &o, &bad), 0);
	assert_int_equal(netstat_render_row(&o, r, out), 1);
}

static void test_truncation_and_wide(void **state)
{
	struct buf out = BUF_INIT;
	struct sock_row r = v6row("2001:db8:1111:2222:3333:4444:5555:6666", 65535,
				  "fe80::1", 0);

	(void)state;
	render1("-na", &r, &out);
	assert_string_equal(out.data, "tcp6       0      0 2001:db8:1111:222:65535 fe80::1:*   "
				      "            ESTABLISHED\n");
	render1("-naW", &r, &out);
	assert_string_equal(out.data,
			    "tcp6       0      0 2001:db8:1111:2222:3333:4444:5555:6666:65535 "
			    "fe80::1:*               ESTABLISHED\n");
	buf_fini(&out);
}

/* A v6 socket with a mapped address prints like net-tools (bare dotted
 * quad), whether the row keeps ::ffff:a.b.c.d or was folded to IPv4. */
static void test_mapped_and_folded(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct sock_row r = v6row("::ffff:198.51.100.1", 443, "::ffff:0.0.0.0", 0);

	(void)state;
	render1("-nap", &r, &a);
	assert_string_equal(a.data, "tcp6       0      0 198.51.100.1:443        0.0.0.0:*     "
				    "          ESTABLISHED -                   \n");
	addr_fold(&r.local);
	addr_fold(&r.remote);
	assert_int_equal(r.local.family, AF_INET);
	render1("-nap", &r, &b);
	assert_string_equal(a.data, b.data);
	/* not null for net-tools: a mapped 0.0.0.0 UDP peer is "connected" */
	r.proto = IPPROTO_UDP;
	r.state = ST_CLOSE;
	{
		struct netstat_opts o;
		const char *bad;

		assert_int_equal(netstat_opts_parse("-n", &o, &bad), 0);
		buf_reset(&b);
		assert_int_equal(netstat_render_row(&o, &r, &b), 1);
		assert_int_equal(netstat_opts_parse("-nl", &o, &bad), 0);
		assert_int_equal(netstat_render_row(&o, &r, &b), 0);
	}
	buf_fini(&a);
	buf_fini(&b);
}

/* IPv6 text must be glibc inet_ntop's, which net-tools uses. */
static void test_v6_text_like_glibc(void **state)
{
	static const char *const addrs[] = {
		"::", "::1", "::2:0", "1::", "1:0:0:1::1", "1:0:0:2:0:0:0:3", "1:0:2:0:3:0:4:0",
		"2001:db8::1", "2001:db8:0:0:1:0:0:1", "::1.2.3.4", "::0.1.0.0", "::ffff:0:1.2.3.4",
		"fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "0:0:1::", "::fffe:1.2.3.4", "64:ff9b::1.2.3.4",
	};
	struct buf out = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		struct sock_row r = v6row(addrs[i], 1, "::", 0);
		char want[INET6_ADDRSTRLEN], line[128];

		assert_non_null(inet_ntop(AF_INET6, r.local.a, want, sizeof want));
		r.rport = 2;
		render1("-naW", &r, &out);
		snprintf(line, sizeof line, "tcp6       0      0 %s:1 ", want);
		if (strncmp(out.data, line, strlen(line)) != 0)
			fail_msg("%s: got %s", want, out.data);
	}
	buf_fini(&out);
}

static void test_timers_extend_prog(void **state)
{
	struct buf out = BUF_INIT;
	struct sock_row r;

	(void)state;
	memset(&r, 0, sizeof r);
	r.proto = IPPROTO_TCP;
	r.family = AF_INET;
	r.local.family = r.remote.family = AF_INET;
	r.local.a[0] = 127;
	r.local.a[3] = 1;
	r.remote.a[0] = 198;
	r.remote.a[1] = 51;
	r.remote.a[2] = 100;
	r.remote.a[3] = 7;
	r.lport = 80;
	r.rport = 5555;
	r.state = ST_TIME_WAIT;
	r.timer = TIMER_TIMEWAIT;
	r.expires_ms = 59870;
	r.uid = 33;
	r.inode = 0;
	r.rxq = 7;
	r.txq = 123456;
	render1("-naeo", &r, &out);
	assert_string_equal(out.data, "tcp        7 123456 127.0.0.1:80            198.51.100.7:5555"
				      "       TIME_WAIT   33         0          timewait (59.87/0/0)\n");
	r.state = ST_SYN_RECV;
	r.timer = TIMER_ON;
	r.expires_ms = 1000;
	r.retrans = 2;
	r.pid = 1234567;
	r.program = "a-very-long-program-name";
	render1("-napo", &r, &out);
	assert_string_equal(out.data, "tcp        7 123456 127.0.0.1:80            198.51.100.7:5555"
				      "       SYN_RECV    1234567/a-very-long  on (1.00/2/0)\n");
	r.proto = IPPROTO_UDP;
	r.state = ST_CLOSE;
	r.timer = TIMER_OFF;
	r.program = NULL;
	render1("-naop", &r, &out);
	assert_string_equal(out.data, "udp        7 123456 127.0.0.1:80            198.51.100.7:5555"
				      "                   1234567/             off (0.00/0/0)\n");
	/* a control byte in a name from another source never breaks the line */
	r.program = "a\tb\nc";
	render1("-nap", &r, &out);
	assert_non_null(strstr(out.data, " 1234567/a.b.c       \n"));
	r.proto = IPPROTO_RAW;
	r.state = 7;
	r.pid = 0;
	render1("-nawp", &r, &out);
	assert_string_equal(out.data, "raw        7 123456 127.0.0.1:80            198.51.100.7:5555"
				      "       7           -                   \n");
	r.state = ST_NEW_SYN_RECV;
	r.proto = IPPROTO_TCP;
	render1("-na", &r, &out);
	assert_non_null(strstr(out.data, " SYN_RECV   \n"));
	buf_fini(&out);
}

static void test_headers(void **state)
{
	struct buf out = BUF_INIT;
	struct netstat_opts o;
	const char *bad;

	(void)state;
	assert_int_equal(netstat_opts_parse("-nl --extend -o -p", &o, &bad), 0);
	assert_int_equal(netstat_render_header(&o, &out), 0);
	assert_string_equal(out.data,
			    "Active Internet connections (only servers)\n"
			    "Proto Recv-Q Send-Q Local Address           Foreign Address         State"
			    "       User       Inode      PID/Program name     Timer\n");
	buf_fini(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_captures),
		cmocka_unit_test(test_opts_accept),
		cmocka_unit_test(test_opts_reject),
		cmocka_unit_test(test_truncation_and_wide),
		cmocka_unit_test(test_mapped_and_folded),
		cmocka_unit_test(test_v6_text_like_glibc),
		cmocka_unit_test(test_timers_extend_prog),
		cmocka_unit_test(test_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
