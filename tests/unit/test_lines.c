/* Unit tests for analyzer/input (codecs sniffed from content, hashing,
 * truncation) and analyzer/lines (UTF-16LE, BOMs, CRLF, over-long lines). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "textfmt.h"
#include "input.h"
#include "lines.h"

static char path[64];

static void write_file(const void *p, size_t n)
{
	FILE *f;

	snprintf(path, sizeof path, "/tmp/sst-test-lines.%d", (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* All lines of the file joined with '|', over-long ones as "<E2BIG>". */
static char *read_all(struct input **inp)
{
	static char out[LINES_MAX + 4096];
	struct input *in;
	struct lines l;
	const char *line;
	size_t len, o = 0;
	char err[128];
	int rc;

	assert_int_equal(input_open(path, 0, true, &in, err, sizeof err), 0);
	assert_int_equal(lines_init(&l, in), 0);
	out[0] = '\0';
	while ((rc = lines_next(&l, &line, &len)) != 0) {
		if (rc == -E2BIG)
			o += (size_t)snprintf(out + o, sizeof out - o, "<E2BIG:%llu>|",
					      (unsigned long long)lines_lineno(&l));
		else if (rc < 0)
			fail_msg("lines_next: %d", rc);
		else
			o += (size_t)snprintf(out + o, sizeof out - o, "%.*s|", (int)len, line);
		assert_true(o < sizeof out);
	}
	lines_fini(&l);
	if (inp)
		*inp = in;
	else
		input_free(in);
	return out;
}

static void test_plain(void **state)
{
	const char text[] = "one\ntwo\r\n\nlast";
	char hex[SHA256_HEXLEN + 1];
	struct input *in;

	(void)state;
	write_file(text, sizeof text - 1);
	assert_string_equal(read_all(&in), "one|two||last|");
	assert_int_equal(input_codec(in), INPUT_PLAIN);
	assert_int_equal(input_raw_bytes(in), sizeof text - 1);
	assert_true(input_has_mtime(in));
	input_sha256_hex(in, hex);
	input_free(in);
	/* sha256sum of "one\ntwo\r\n\nlast" */
	char hex2[SHA256_HEXLEN + 1];
	uint64_t size;
	assert_int_equal(input_hash_file(path, hex2, &size), 0);
	assert_string_equal(hex, hex2);
	assert_int_equal(size, sizeof text - 1);
	unlink(path);
}

static void test_utf16_and_bom(void **state)
{
	/* "Ä1\r\nb\U0001F600\r\n" in UTF-16LE with BOM */
	const uint8_t u16[] = {0xff, 0xfe, 0xc4, 0x00, '1', 0, '\r', 0, '\n', 0, 'b', 0,
			       0x3d, 0xd8, 0x00, 0xde, '\r', 0, '\n', 0};
	const char u8bom[] = "\xef\xbb\xbfx y\n";

	(void)state;
	write_file(u16, sizeof u16);
	assert_string_equal(read_all(NULL), "\xc3\x84" "1|b\xf0\x9f\x98\x80|");
	write_file(u8bom, sizeof u8bom - 1);
	assert_string_equal(read_all(NULL), "x y|");
	/* a lone low surrogate becomes U+FFFD, an odd trailing byte is dropped */
	const uint8_t bad[] = {0xff, 0xfe, 0x00, 0xdc, 'z', 0, 'q'};
	write_file(bad, sizeof bad);
	assert_string_equal(read_all(NULL), "\xef\xbf\xbdz|");
	/* two bytes only: just a BOM */
	write_file(u16, 2);
	assert_string_equal(read_all(NULL), "");
	unlink(path);
}

static void test_long_lines(void **state)
{
	size_t n = 3 * LINES_MAX;
	char *big = malloc(n + 64);

	(void)state;
	assert_non_null(big);
	memcpy(big, "a\n", 2);
	memset(big + 2, 'x', n);
	memcpy(big + 2 + n, "\nb\n", 3);
	write_file(big, n + 5);
	assert_string_equal(read_all(NULL), "a|<E2BIG:2>|b|");
	/* exactly the limit is fine */
	memset(big, 'y', LINES_MAX);
	big[LINES_MAX] = '\n';
	write_file(big, LINES_MAX + 1);
	assert_int_equal(strlen(read_all(NULL)), LINES_MAX + 1);
	free(big);
	unlink(path);
}

static void test_gzip(void **state)
{
	const char *parts[] = {"first\n", "second\n"};
	uint8_t out[512];
	size_t o = 0;
	struct input *in;

	(void)state;
	/* two gzip members back to back, as `cat a.gz b.gz` makes */
	for (int i = 0; i < 2; i++) {
		z_stream z = {0};

		assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (Bytef *)parts[i];
		z.avail_in = (uInt)strlen(parts[i]);
		z.next_out = out + o;
		z.avail_out = (uInt)(sizeof out - o);
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		o = sizeof out - z.avail_out;
		deflateEnd(&z);
	}
	write_file(out, o);
	assert_string_equal(read_all(&in), "first|second|");
	assert_int_equal(input_codec(in), INPUT_GZIP);
	assert_int_equal(input_end(in), SEGREAD_END_CLEAN);
	input_free(in);
	/* cut short: what was decoded stays, the input says it was cut */
	write_file(out, o - 6);
	assert_string_equal(read_all(&in), "first|second|");
	assert_int_equal(input_end(in), SEGREAD_END_CUT);
	input_free(in);
	unlink(path);
}

static void test_zstd(void **state)
{
	char text[4000];
	uint8_t out[8192];
	size_t n, o = 0;
	struct input *in;

	(void)state;
	for (int i = 0; i < 400; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "%d\n", i % 10);
	n = ZSTD_compress(out, sizeof out, text, o, 3);
	assert_false(ZSTD_isError(n));
	write_file(out, n);
	assert_int_equal(strlen(read_all(&in)), 800);
	assert_int_equal(input_codec(in), INPUT_ZSTD);
	assert_int_equal(input_end(in), SEGREAD_END_CLEAN);
	input_free(in);
	write_file(out, n - 3);
	(void)read_all(&in);
	assert_true(input_end(in) != SEGREAD_END_CLEAN);
	input_free(in);
	/* garbage after the magic: the input ends, judged CORRUPT (as verify
	 * judges it), with zstd's reason; not a crash */
	memcpy(out + 4, "garbagegarbage", 14);
	write_file(out, 18);
	{
		struct lines l;
		const char *line;
		size_t len;
		char err[64];

		assert_int_equal(input_open(path, 0, true, &in, err, sizeof err), 0);
		assert_int_equal(lines_init(&l, in), 0);
		assert_int_equal(lines_next(&l, &line, &len), 0);
		assert_int_equal(input_end(in), SEGREAD_END_CORRUPT);
		assert_non_null(strstr(input_error(in), "zstd"));
		lines_fini(&l);
		input_free(in);
	}
	unlink(path);
}

static void test_limit_and_errors(void **state)
{
	struct input *in;
	char err[128];

	(void)state;
	write_file("abc\ndef\n", 8);
	assert_int_equal(input_open(path, 4, true, &in, err, sizeof err), 0);
	{
		struct lines l;
		const char *line;
		size_t len;

		assert_int_equal(lines_init(&l, in), 0);
		assert_int_equal(lines_next(&l, &line, &len), 1);
		assert_int_equal(lines_next(&l, &line, &len), 0);   /* limit: "def" unseen */
		lines_fini(&l);
	}
	assert_int_equal(input_raw_bytes(in), 4);
	input_free(in);
	unlink(path);
	assert_int_equal(input_open(path, 0, true, &in, err, sizeof err), -ENOENT);
	assert_int_equal(input_open("/tmp", 0, true, &in, err, sizeof err), -EISDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_utf16_and_bom),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_limit_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
