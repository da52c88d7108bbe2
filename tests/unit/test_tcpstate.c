/* Unit tests for common/tcpstate: every state in every platform's spelling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>

#include "tcpstate.h"

struct spelling {
	const char *s;
	int st;
};

static void check_all(const struct spelling *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int got = tcpstate_parse(t[i].s, strlen(t[i].s));

		if (got != t[i].st)
			fail_msg("tcpstate_parse(\"%s\") = %d, want %d", t[i].s, got, t[i].st);
	}
}

#define CHECK_ALL(t) check_all(t, sizeof t / sizeof t[0])

static void test_names(void **state)
{
	static const char *const want[ST_MAX_] = {
		"UNKNOWN",   "ESTABLISHED", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT",   "CLOSE",      "CLOSE_WAIT", "LAST_ACK",
		"LISTEN",    "CLOSING",     "SYN_RECV",
	};
	(void)state;
	for (int st = 0; st < ST_MAX_; st++)
		assert_string_equal(tcpstate_name(st), want[st]);
	assert_string_equal(tcpstate_name(-1), "UNKNOWN");
	assert_string_equal(tcpstate_name(ST_MAX_), "UNKNOWN");
	assert_string_equal(tcpstate_name(255), "UNKNOWN");
	/* Every name but UNKNOWN parses back to its state. */
	for (int st = 1; st < ST_MAX_; st++) {
		const char *n = tcpstate_name(st);
		int back = st == ST_NEW_SYN_RECV ? ST_SYN_RECV : st;

		assert_int_equal(tcpstate_parse(n, strlen(n)), back);
	}
}

static void test_ss_names(void **state)
{
	static const char *const want[ST_MAX_] = {
		"UNKNOWN",    "ESTAB",     "SYN-SENT", "SYN-RECV",   "FIN-WAIT-1",
		"FIN-WAIT-2", "TIME-WAIT", "UNCONN",   "CLOSE-WAIT", "LAST-ACK",
		"LISTEN",     "CLOSING",   "SYN-RECV",
	};
	(void)state;
	for (int st = 0; st < ST_MAX_; st++)
		assert_string_equal(tcpstate_ss_name(st), want[st]);
	assert_string_equal(tcpstate_ss_name(-5), "UNKNOWN");
	assert_string_equal(tcpstate_ss_name(13), "UNKNOWN");
	for (int st = 1; st < ST_MAX_; st++) {
		const char *n = tcpstate_ss_name(st);
		int back = st == ST_NEW_SYN_RECV ? ST_SYN_RECV : st;

		assert_int_equal(tcpstate_parse(n, strlen(n)), back);
	}
}

static void test_parse_net_tools(void **state)
{
	static const struct spelling t[] = {
		{"ESTABLISHED", ST_ESTABLISHED}, {"SYN_SENT", ST_SYN_SENT},
		{"SYN_RECV", ST_SYN_RECV},       {"FIN_WAIT1", ST_FIN_WAIT1},
		{"FIN_WAIT2", ST_FIN_WAIT2},     {"TIME_WAIT", ST_TIME_WAIT},
		{"CLOSE", ST_CLOSE},             {"CLOSE_WAIT", ST_CLOSE_WAIT},
		{"LAST_ACK", ST_LAST_ACK},       {"LISTEN", ST_LISTEN},
		{"CLOSING", ST_CLOSING},         {"NEW_SYN_RECV", ST_SYN_RECV},
	};
	(void)state;
	CHECK_ALL(t);
}

static void test_parse_ss(void **state)
{
	static const struct spelling t[] = {
		{"ESTAB", ST_ESTABLISHED},     {"SYN-SENT", ST_SYN_SENT},
		{"SYN-RECV", ST_SYN_RECV},     {"FIN-WAIT-1", ST_FIN_WAIT1},
		{"FIN-WAIT-2", ST_FIN_WAIT2},  {"TIME-WAIT", ST_TIME_WAIT},
		{"UNCONN", ST_CLOSE},          {"CLOSE-WAIT", ST_CLOSE_WAIT},
		{"LAST-ACK", ST_LAST_ACK},     {"LISTEN", ST_LISTEN},
		{"CLOSING", ST_CLOSING},       {"NEW-SYN-RECV", ST_SYN_RECV},
	};
	(void)state;
	CHECK_ALL(t);
}

static void test_parse_bsd(void **state)
{
	static const struct spelling t[] = {
		{"ESTABLISHED", ST_ESTABLISHED}, {"SYN_SENT", ST_SYN_SENT},
		{"SYN_RCVD", ST_SYN_RECV},       {"FIN_WAIT_1", ST_FIN_WAIT1},
		{"FIN_WAIT_2", ST_FIN_WAIT2},    {"TIME_WAIT", ST_TIME_WAIT},
		{"CLOSED", ST_CLOSE},            {"CLOSE_WAIT", ST_CLOSE_WAIT},
		{"LAST_ACK", ST_LAST_ACK},       {"LISTEN", ST_LISTEN},
		{"CLOSING", ST_CLOSING},
	};
	(void)state;
	CHECK_ALL(t);
}

static void test_parse_windows(void **state)
{
	static const struct spelling t[] = {
		{"ESTABLISHED", ST_ESTABLISHED}, {"SYN_SENT", ST_SYN_SENT},
		{"SYN_RECEIVED", ST_SYN_RECV},   {"FIN_WAIT_1", ST_FIN_WAIT1},
		{"FIN_WAIT_2", ST_FIN_WAIT2},    {"TIME_WAIT", ST_TIME_WAIT},
		{"CLOSED", ST_CLOSE},            {"CLOSE_WAIT", ST_CLOSE_WAIT},
		{"LAST_ACK", ST_LAST_ACK},       {"LISTENING", ST_LISTEN},
		{"CLOSING", ST_CLOSING},         {"DELETE_TCB", ST_CLOSE},
	};
	(void)state;
	CHECK_ALL(t);
}

static void test_parse_rfc793_and_article(void **state)
{
	static const struct spelling t[] = {
		{"ESTABLISHED", ST_ESTABLISHED}, {"SYN-SENT", ST_SYN_SENT},
		{"SYN-RECEIVED", ST_SYN_RECV},   {"FIN-WAIT-1", ST_FIN_WAIT1},
		{"FIN-WAIT-2", ST_FIN_WAIT2},    {"TIME-WAIT", ST_TIME_WAIT},
		{"CLOSED", ST_CLOSE},            {"CLOSE-WAIT", ST_CLOSE_WAIT},
		{"LAST-ACK", ST_LAST_ACK},       {"LISTEN", ST_LISTEN},
		{"CLOSING", ST_CLOSING},         {"SYN_REC", ST_SYN_RECV},
		{"SYN-REC", ST_SYN_RECV},        {"DELETE-TCB", ST_CLOSE},
	};
	(void)state;
	CHECK_ALL(t);
}

static void test_parse_case(void **state)
{
	static const struct spelling t[] = {
		{"established", ST_ESTABLISHED}, {"Syn_Recv", ST_SYN_RECV},
		{"syn-rcvd", ST_SYN_RECV},       {"listening", ST_LISTEN},
		{"estab", ST_ESTABLISHED},       {"fin_wait_1", ST_FIN_WAIT1},
		{"Time-Wait", ST_TIME_WAIT},     {"unconn", ST_CLOSE},
		{"delete_tcb", ST_CLOSE},        {"syn_rec", ST_SYN_RECV},
	};
	(void)state;
	CHECK_ALL(t);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"",          "S",          "SYN",        "SYN_RE",     "SYN_RECVD",
		"ESTABLISH", "ESTABLISHE", "LISTENER",   "LISTENINGX", " LISTEN",
		"LISTEN ",   "LISTEN\n",   "UNKNOWN",    "FIN_WAIT",   "FIN_WAIT_3",
		"FIN_WAIT3", "TIME WAIT",  "TIMEWAIT",   "CLOSE__WAIT", "10",
		"0A",        "BOUND",      "SYN_RECEIVEDX", "SYN_RECV_LONGER_THAN_BUFFER",
		"ÉSTAB",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int got = tcpstate_parse(bad[i], strlen(bad[i]));

		if (got != -EINVAL)
			fail_msg("tcpstate_parse(\"%s\") = %d, want -EINVAL", bad[i], got);
	}
	assert_int_equal(tcpstate_parse(NULL, 0), -EINVAL);
	assert_int_equal(tcpstate_parse("LISTEN\0", 7), -EINVAL);
	assert_int_equal(tcpstate_parse("LIS\0TEN", 7), -EINVAL);
	/* Exactly len bytes: a prefix of a longer word is judged alone. */
	assert_int_equal(tcpstate_parse("LISTENING", 6), ST_LISTEN);
	assert_int_equal(tcpstate_parse("SYN_RECV", 7), ST_SYN_RECV); /* "SYN_REC" */
	assert_int_equal(tcpstate_parse("SYN_RECV", 6), -EINVAL);
	assert_int_equal(tcpstate_parse("CLOSE_WAIT", 5), ST_CLOSE);
}

static void test_from_hex(void **state)
{
	static const struct spelling t[] = {
		{"01", ST_ESTABLISHED}, {"02", ST_SYN_SENT},   {"03", ST_SYN_RECV},
		{"04", ST_FIN_WAIT1},   {"05", ST_FIN_WAIT2},  {"06", ST_TIME_WAIT},
		{"07", ST_CLOSE},       {"08", ST_CLOSE_WAIT}, {"09", ST_LAST_ACK},
		{"0A", ST_LISTEN},      {"0B", ST_CLOSING},    {"0C", ST_NEW_SYN_RECV},
		{"0a", ST_LISTEN},      {"0b", ST_CLOSING},    {"0c", ST_NEW_SYN_RECV},
	};
	static const char *const bad[] = {
		"", "0", "A", "00", "0D", "0d", "0F", "10", "FF", "1", "001", "0A ",
		" A", "0G", "g0", "-1", "+1", "0x", "0x0A",
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		assert_int_equal(tcpstate_from_hex(t[i].s, 2), t[i].st);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (tcpstate_from_hex(bad[i], strlen(bad[i])) != -EINVAL)
			fail_msg("tcpstate_from_hex(\"%s\") accepted", bad[i]);
	}
	assert_int_equal(tcpstate_from_hex("0A", 1), -EINVAL);
	assert_int_equal(tcpstate_from_hex("0A\0", 3), -EINVAL);
	assert_int_equal(tcpstate_from_hex("\0A", 2), -EINVAL);
	assert_int_equal(tcpstate_from_hex(NULL, 0), -EINVAL);
	/* Field taken out of a longer /proc line. */
	assert_int_equal(tcpstate_from_hex("0A 00000000:00000000", 2), ST_LISTEN);
}

static void test_db_names(void **state)
{
	(void)state;
	assert_string_equal(tcpstate_db_name(IPPROTO_TCP, ST_NEW_SYN_RECV), "SYN_RECV");
	assert_string_equal(tcpstate_db_name(IPPROTO_TCP, ST_CLOSE), "CLOSE");
	assert_string_equal(tcpstate_db_name(IPPROTO_UDP, ST_CLOSE), "UNCONN");
	assert_string_equal(tcpstate_db_name(IPPROTO_UDP, ST_ESTABLISHED), "ESTABLISHED");
	for (int st = ST_ESTABLISHED; st <= ST_CLOSING; st++)
		assert_non_null(tcpstate_db_name(IPPROTO_TCP, st));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_names),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ss_names),
		cmocka_unit_test(test_parse_net_tools),
		cmocka_unit_test(test_parse_ss),
		cmocka_unit_test(test_parse_bsd),
		cmocka_unit_test(test_parse_windows),
		cmocka_unit_test(test_parse_rfc793_and_article),
		cmocka_unit_test(test_parse_case),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_from_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
