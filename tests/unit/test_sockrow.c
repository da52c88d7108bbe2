/* Unit tests for common/sockrow: names, exact TSV lines, round trips of every
 * captured row, and the precise complaint for each kind of bad field. */
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

#include "procnet.h"
#include "sockrow.h"
#include "tcpstate.h"
#include "fixture.h"

static void assert_rows_equal(const struct sock_row *a, const struct sock_row *b)
{
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->state, b->state);
	assert_memory_equal(&a->local, &b->local, sizeof a->local);
	assert_memory_equal(&a->remote, &b->remote, sizeof a->remote);
	assert_int_equal(a->lport, b->lport);
	assert_int_equal(a->rport, b->rport);
	assert_int_equal(a->rxq, b->rxq);
	assert_int_equal(a->txq, b->txq);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->inode, b->inode);
	assert_int_equal(a->timer, b->timer);
	assert_int_equal(a->expires_ms, b->expires_ms);
	assert_int_equal(a->retrans, b->retrans);
	assert_int_equal(a->pid, b->pid);
	if (!a->program || !b->program)
		assert_ptr_equal(a->program, b->program);
	else
		assert_string_equal(a->program, b->program);
}

/* to_tsv -> from_tsv gives the row back, and the line is one line. */
static void round_trip(const struct sock_row *r)
{
	struct buf line = BUF_INIT, scratch = BUF_INIT;
	struct sock_row back;
	const char *what = "unset";

	assert_int_equal(sockrow_to_tsv(r, &line), 0);
	assert_true(line.len > 0);
	assert_int_equal(line.data[line.len - 1], '\n');
	assert_ptr_equal(memchr(line.data, '\n', line.len), line.data + line.len - 1);
	if (sockrow_from_tsv(line.data, line.len, &back, &scratch, &what) != 0)
		fail_msg("%s: %s", line.data, what);
	assert_rows_equal(r, &back);
	buf_fini(&line);
	buf_fini(&scratch);
}

static struct sock_row fixture_rows[64];

static int keep(void *ctx, const struct sock_row *r)
{
	size_t *n = ctx;

	assert_true(*n < 64);
	fixture_rows[(*n)++] = *r;
	return 0;
}

static void test_fixture_round_trip(void **state)
{
	static const char *const programs[] = {
		"sockhold", "my server app", "-", "", "tab\there", "nl\nthere", "cr\rthere",
		"back\\slash", "\\-", "--", "\\", "a-very-long-program-name-for-tests",
	};
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < N_PROC_FIXTURES; i++) {
		struct row_sink sink = {keep, NULL, &n};
		size_t len;
		char *text = netstat_fixture(proc_fixtures[i].file, &len);

		assert_true(procnet_parse(text, len, proc_fixtures[i].proto, proc_fixtures[i].family, false,
					  &sink) > 0);
		free(text);
	}
	assert_int_equal(n, 28);
	for (size_t i = 0; i < n; i++) {
		round_trip(&fixture_rows[i]);
		fixture_rows[i].pid = (int32_t)(1000 + i);
		fixture_rows[i].program = programs[i % (sizeof programs / sizeof programs[0])];
		round_trip(&fixture_rows[i]);
	}
}

static struct sock_row mapped_row(void)
{
	struct sock_row r;

	memset(&r, 0, sizeof r);
	r.proto = IPPROTO_TCP;
	r.family = AF_INET6;
	r.state = ST_ESTABLISHED;
	r.local.family = r.remote.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.51.100.1", r.local.a), 1);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.51.100.3", r.remote.a), 1);
	r.lport = 443;
	r.rport = 46205;
	r.inode = 1328961;
	r.pid = 23751;
	r.program = "sockhold";
	return r;
}

static void expect_tsv(const struct sock_row *r, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(sockrow_to_tsv(r, &b), 0);
	assert_string_equal(b.data, want);
	buf_fini(&b);
}

static void test_exact_lines(void **state)
{
	struct sock_row r = mapped_row();

	(void)state;
	expect_tsv(&r, "tcp\t6\tESTABLISHED\t198.51.100.1\t443\t198.51.100.3\t46205\t0\t0\t0\t"
		       "1328961\toff\t0\t0\t23751\tsockhold\n");
	/* a folded row writes the same line */
	addr_fold(&r.local);
	addr_fold(&r.remote);
	expect_tsv(&r, "tcp\t6\tESTABLISHED\t198.51.100.1\t443\t198.51.100.3\t46205\t0\t0\t0\t"
		       "1328961\toff\t0\t0\t23751\tsockhold\n");
	r = mapped_row();
	r.proto = IPPROTO_UDP;
	r.state = ST_CLOSE;
	r.pid = 0;
	r.program = NULL;
	r.timer = TIMER_TIMEWAIT;
	r.expires_ms = 59870;
	r.retrans = 4294967295u;
	r.uid = 65534;
	r.rxq = 1;
	r.txq = 2;
	r.inode = 18446744073709551615ull;
	expect_tsv(&r, "udp\t6\tUNCONN\t198.51.100.1\t443\t198.51.100.3\t46205\t1\t2\t65534\t"
		       "18446744073709551615\ttimewait\t59870\t4294967295\t-\t-\n");
	r.proto = IPPROTO_TCP;
	r.state = ST_NEW_SYN_RECV;
	r.program = "-";
	r.pid = 7;
	r.timer = 9;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", r.remote.a), 1);
	expect_tsv(&r, "tcp\t6\tSYN_RECV\t198.51.100.1\t443\t2001:db8::1\t46205\t1\t2\t65534\t"
		       "18446744073709551615\t9\t59870\t4294967295\t7\t\\-\n");
	r.program = "a\\b\tc\nd\re-";
	r.state = 0;
	r.proto = 132;
	expect_tsv(&r, "132\t6\t0\t198.51.100.1\t443\t2001:db8::1\t46205\t1\t2\t65534\t"
		       "18446744073709551615\t9\t59870\t4294967295\t7\ta\\\\b\\tc\\nd\\re-\n");
	/* what no line can say */
	r.family = AF_INET;
	{
		struct buf b = BUF_INIT;

		assert_int_equal(sockrow_to_tsv(&r, &b), -EINVAL);
		assert_int_equal(b.len, 0);
		buf_fini(&b);
	}
}

static void test_special_values_parse(void **state)
{
	struct buf scratch = BUF_INIT;
	struct sock_row r;
	const char *what;
	static const char l1[] = "udp\t4\tUNCONN\t0.0.0.0\t53\t0.0.0.0\t0\t0\t0\t0\t99\toff\t0\t0\t-\t-\n";
	static const char l2[] = "tcp\t6\tSYN_RECV\t::\t0\t0.0.0.0\t0\t0\t0\t0\t0\tprobe\t0\t0\t1\t\\-";
	static const char l3[] = "raw\t6\tCLOSE\t2001:db8::1\t58\t::\t0\t0\t0\t0\t0\t7\t0\t0\t2147483647\t";

	(void)state;
	assert_int_equal(sockrow_from_tsv(SOCKROW_TSV_HEADER, strlen(SOCKROW_TSV_HEADER), &r,
					  &scratch, &what), 1);
	assert_int_equal(sockrow_from_tsv(l1, sizeof l1 - 1, &r, &scratch, &what), 0);
	assert_int_equal(r.proto, IPPROTO_UDP);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.state, ST_CLOSE);
	assert_int_equal(r.inode, 99);
	assert_int_equal(r.pid, 0);
	assert_null(r.program);
	assert_int_equal(sockrow_from_tsv(l2, sizeof l2 - 1, &r, &scratch, &what), 0);
	assert_int_equal(r.state, ST_SYN_RECV);
	assert_int_equal(r.timer, TIMER_PROBE);
	/* IPv4 text in a v6 row: the kernel's mapped address, unfolded again */
	assert_int_equal(r.remote.family, AF_INET6);
	assert_memory_equal(r.remote.a, "\0\0\0\0\0\0\0\0\0\0\xff\xff\0\0\0\0", 16);
	assert_string_equal(r.program, "-");
	assert_int_equal(r.pid, 1);
	assert_int_equal(sockrow_from_tsv(l3, sizeof l3 - 1, &r, &scratch, &what), 0);
	assert_int_equal(r.proto, IPPROTO_RAW);
	assert_int_equal(r.state, 7);
	assert_int_equal(r.timer, 7);
	assert_int_equal(r.pid, 2147483647);
	assert_string_equal(r.program, "");
	assert_string_equal(sockrow_proto_name(IPPROTO_RAW), "raw");
	assert_int_equal(sockrow_proto_parse("udp", 3), IPPROTO_UDP);
	assert_int_equal(sockrow_proto_parse("udp6", 4), -EINVAL);
	assert_string_equal(sockrow_timer_name(TIMER_KEEPALIVE), "keepalive");
	assert_null(sockrow_timer_name(5));
	assert_int_equal(sockrow_timer_parse("timewait", 8), TIMER_TIMEWAIT);
	assert_int_equal(sockrow_timer_parse("timewai", 7), -EINVAL);
	buf_fini(&scratch);
}

static void test_rejects(void **state)
{
	/* a good line, then one field replaced per case */
	static const char *const good[16] = {
		"tcp", "4", "LISTEN", "198.51.100.1", "80", "0.0.0.0", "0", "0", "0", "0", "12345",
		"off", "0", "0", "42", "nginx",
	};
	static const struct {
		int col;          /* -1: use text as the whole line */
		const char *text;
		const char *what;
	} cases[] = {
		{-1, "tcp\t4\tLISTEN", "expected 16 tab-separated fields"},
		{-1, "", "expected 16 tab-separated fields"},
		{15, "nginx\textra", "expected 16 tab-separated fields"},
		{0, "TCP", "expected tcp, udp, raw or an unnamed protocol number in column proto"},
		{0, "6", "expected tcp, udp, raw or an unnamed protocol number in column proto"},
		{1, "10", "expected 4 or 6 in column family"},
		{2, "LISTENING", "expected a net-tools state name"},
		{2, "UNCONN", "expected a net-tools state name"},
		{2, "10", "expected a net-tools state name"},
		{2, "256", "expected a net-tools state name"},
		{3, "::1", "expected a canonical IPv4 address in column laddr"},
		{3, "198.051.100.1", "expected a canonical IPv4 address in column laddr"},
		{4, "65536", "expected port 0..65535 in column lport"},
		{4, "080", "expected port 0..65535 in column lport"},
		{4, "-1", "expected port 0..65535 in column lport"},
		{4, "", "expected port 0..65535 in column lport"},
		{5, "0.0.0.0 ", "expected a canonical IPv4 address in column raddr"},
		{6, "+1", "expected port 0..65535 in column rport"},
		{7, "4294967296", "expected decimal 0..4294967295 in column rxq"},
		{8, "x", "expected decimal 0..4294967295 in column txq"},
		{9, "1e3", "expected decimal 0..4294967295 in column uid"},
		{10, "18446744073709551616", "expected decimal 0..18446744073709551615 in column inode"},
		{11, "ON", "expected off, on, keepalive, timewait, probe"},
		{11, "3", "expected off, on, keepalive, timewait, probe"},
		{12, "", "expected decimal 0..4294967295 in column expires_ms"},
		{13, "0x1", "expected decimal 0..4294967295 in column retrans"},
		{14, "0", "expected - or a pid 1..2147483647 in column pid"},
		{14, "2147483648", "expected - or a pid 1..2147483647 in column pid"},
		{14, "--", "expected - or a pid 1..2147483647 in column pid"},
		{15, "bad\\x", "expected -, or a program name"},
		{15, "trailing\\", "expected -, or a program name"},
		{15, "raw\rcr", "expected -, or a program name"},
	};
	struct buf scratch = BUF_INIT, line = BUF_INIT;

	(void)state;
	/* the base line itself is fine */
	for (int c = 0; c < 16; c++)
		assert_int_equal(buf_printf(&line, "%s%s", c ? "\t" : "", good[c]), 0);
	{
		struct sock_row r;
		const char *what;

		assert_int_equal(sockrow_from_tsv(line.data, line.len, &r, &scratch, &what), 0);
		assert_int_equal(r.state, ST_LISTEN);
		assert_string_equal(r.program, "nginx");
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sock_row r;
		const char *what = NULL;

		buf_reset(&line);
		if (cases[i].col < 0)
			assert_int_equal(buf_puts(&line, cases[i].text), 0);
		else
			for (int c = 0; c < 16; c++)
				assert_int_equal(buf_printf(&line, "%s%s", c ? "\t" : "",
							    c == cases[i].col ? cases[i].text
									      : good[c]),
						 0);
		assert_int_equal(sockrow_from_tsv(line.data, line.len, &r, &scratch, &what),
				 -EINVAL);
		assert_non_null(what);
		if (strncmp(what, cases[i].what, strlen(cases[i].what)) != 0)
			fail_msg("case %zu (%s): got \"%s\"", i, cases[i].text, what);
	}
	buf_fini(&scratch);
	buf_fini(&line);
}

/* v6 columns must be canonical and mapped addresses folded. */
static void test_rejects_v6(void **state)
{
	static const char *const bad[] = {
		"tcp\t6\tLISTEN\t::ffff:198.51.100.1\t80\t::\t0\t0\t0\t0\t1\toff\t0\t0\t-\t-",
		"tcp\t6\tLISTEN\t2001:DB8::1\t80\t::\t0\t0\t0\t0\t1\toff\t0\t0\t-\t-",
		"tcp\t6\tLISTEN\t2001:db8:0::1\t80\t::\t0\t0\t0\t0\t1\toff\t0\t0\t-\t-",
		"tcp\t6\tLISTEN\t[::1]\t80\t::\t0\t0\t0\t0\t1\toff\t0\t0\t-\t-",
	};
	struct buf scratch = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sock_row r;
		const char *what = NULL;

		assert_int_equal(sockrow_from_tsv(bad[i], strlen(bad[i]), &r, &scratch, &what),
				 -EINVAL);
		assert_string_equal(what, "expected a canonical address (RFC 5952, IPv4-mapped "
					  "folded) in column laddr");
	}
	buf_fini(&scratch);
}

/* The program column's unescaping: plain runs, every escape, where they
 * sit, and what is refused (a raw CR or NUL, a lone or unknown escape). */
static void test_get_escaped(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;   /* NULL: "-", no name; "": refused */
	} cases[] = {
		{"-", 1, NULL},
		{"\\-", 2, "-"},
		{"nginx: worker", 13, "nginx: worker"},
		{"a\\\\b\\tc\\nd\\re-", 14, "a\\b\tc\nd\re-"},
		{"\\t", 2, "\t"},
		{"x\\n", 3, "x\n"},
		{"\\\\\\\\", 4, "\\\\"},
		{"--", 2, "--"},
		{"a\rb", 3, ""},
		{"a\0b", 3, ""},
		{"ab\\", 3, ""},
		{"a\\xb", 4, ""},
		{"\\", 1, ""},
	};
	struct buf scratch = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *prog = "unset";
		int rc = sockrow_get_escaped(cases[i].in, cases[i].len, &scratch, &prog);

		/* checking says what reading says */
		assert_int_equal(sockrow_check_escaped(cases[i].in, cases[i].len), rc);
		if (cases[i].out && !cases[i].out[0]) {
			assert_int_equal(rc, -EINVAL);
			continue;
		}
		assert_int_equal(rc, 0);
		if (!cases[i].out)
			assert_null(prog);
		else
			assert_string_equal(prog, cases[i].out);
	}
	buf_fini(&scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_round_trip),
		cmocka_unit_test(test_exact_lines),
		cmocka_unit_test(test_special_values_parse),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_rejects_v6),
		cmocka_unit_test(test_get_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
