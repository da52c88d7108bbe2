/* fuzz_termsafe — any bytes through common/termsafe under every flag set:
 * the output is well-formed UTF-8 with no code point a terminal acts on
 * (LF and TAB only when kept), termsafe_clean agrees with it, and with
 * TS_BACKSLASH the escaping is undone exactly; termsafe_arg stays in its
 * documented size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "termsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The input back from TS_BACKSLASH output, or abort on a malformed escape. */
static void undo(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0, d;

		if (s[i] != '\\') {
			buf_putc(out, s[i]);
			continue;
		}
		if (++i >= n)
			abort();
		switch (s[i]) {
		case 't': buf_putc(out, '\t'); continue;
		case 'n': buf_putc(out, '\n'); continue;
		case 'r': buf_putc(out, '\r'); continue;
		case '\\': buf_putc(out, '\\'); continue;
		case 'x': d = 2; break;
		case 'u': d = 4; break;
		default: abort();
		}
		for (unsigned k = 0; k < d; k++) {
			int h = ++i < n ? hexval(s[i]) : -1;

			if (h < 0)
				abort();
			v = v * 16 + (unsigned)h;
		}
		if (d == 2) {
			buf_putc(out, (char)v);
		} else if (v < 0x800) {
			buf_putc(out, (char)(0xc0 | v >> 6));
			buf_putc(out, (char)(0x80 | (v & 0x3f)));
		} else {
			buf_putc(out, (char)(0xe0 | v >> 12));
			buf_putc(out, (char)(0x80 | ((v >> 6) & 0x3f)));
			buf_putc(out, (char)(0x80 | (v & 0x3f)));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char arg[TERMSAFE_ARG_SIZE], *z;

	for (unsigned flags = 0; flags < 8; flags++) {
		struct buf b = BUF_INIT, back = BUF_INIT;
		const unsigned char *p;
		uint32_t cp;
		unsigned k;

		if (termsafe_append(&b, data, size, flags) < 0)
			abort();
		p = (const unsigned char *)(b.data ? b.data : "");
		for (size_t i = 0; i < b.len; i += k) {
			k = termsafe_utf8(p + i, b.len - i, &cp);
			if (k == 0)
				abort();
			if (cp == '\n' ? !(flags & TS_KEEP_LF)
			    : cp == '\t' ? !(flags & TS_KEEP_TAB) : !termsafe_cp_ok(cp))
				abort();
		}
		if (termsafe_clean(data, size, flags) != (b.len == size && !memcmp(p, data, size)))
			abort();
		if (flags & TS_BACKSLASH) {
			undo((const char *)p, b.len, &back);
			if (back.len != size || (size && memcmp(back.data, data, size)))
				abort();
		}
		buf_fini(&b);
		buf_fini(&back);
	}
	z = malloc(size + 1);
	if (!z)
		abort();
	memcpy(z, data, size);
	z[size] = '\0';
	termsafe_arg(arg, sizeof arg, z);
	if (strlen(arg) >= sizeof arg || !termsafe_clean(arg, strlen(arg), 0))
		abort();
	free(z);
	return 0;
}
