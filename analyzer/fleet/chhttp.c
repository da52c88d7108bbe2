/* chhttp — ClickHouse over HTTP with libcurl: credentials in headers (never
 * in the URL, so they do not reach logs or proxies' access lines), errors
 * sorted into retry / refused / bad URL / bad query. libcurl is loaded when
 * a connection is made (dlopen), not linked: its ~30 libraries (TLS,
 * Kerberos, LDAP) cost every other command ~16 ms of loading at start. */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "chhttp.h"
#include "termsafe.h"

/* The soname libcurl4 (OpenSSL) installs; the gnutls build's is tried next. */
#define CURL_LIB "libcurl.so.4"
#define CURL_LIB_GNUTLS "libcurl-gnutls.so.4"

/* The libcurl functions used, looked up in the loaded library. */
struct curlfn {
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

struct chhttp {
	struct curlfn fn;
	CURL *curl;
	struct curl_slist *hdr;
	char *url;
	char *settings;
	long timeout_s;
};

/* f's functions from libcurl, loaded (the loader counts the handles: a
 * second connection loads nothing again). The library is never unloaded:
 * OpenSSL's exit handlers would outlive it. 0, or -ENOENT with err set. */
static int curl_load(struct curlfn *f, char *err, size_t errsz)
{
	void *lib = dlopen(CURL_LIB, RTLD_NOW | RTLD_LOCAL);
	struct {
		const char *name;
		void **at;
	} sym[] = {
		{"curl_easy_init", (void **)&f->easy_init},
		{"curl_easy_cleanup", (void **)&f->easy_cleanup},
		{"curl_easy_reset", (void **)&f->easy_reset},
		{"curl_easy_setopt", (void **)&f->easy_setopt},
		{"curl_easy_perform", (void **)&f->easy_perform},
		{"curl_easy_getinfo", (void **)&f->easy_getinfo},
		{"curl_easy_strerror", (void **)&f->easy_strerror},
		{"curl_easy_escape", (void **)&f->easy_escape},
		{"curl_free", (void **)&f->free},
		{"curl_slist_append", (void **)&f->slist_append},
		{"curl_slist_free_all", (void **)&f->slist_free_all},
	};

	if (!lib)
		lib = dlopen(CURL_LIB_GNUTLS, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(err, errsz, "libcurl is not installed (%s: install libcurl4)", CURL_LIB);
		return -ENOENT;
	}
	for (size_t i = 0; i < sizeof sym / sizeof sym[0]; i++) {
		/* POSIX: a function's address fits in a void * (dlsym's contract) */
		*sym[i].at = dlsym(lib, sym[i].name);
		if (!*sym[i].at) {
			snprintf(err, errsz, "%s: no %s (libcurl too old?)", CURL_LIB, sym[i].name);
			return -ENOENT;
		}
	}
	return 0;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;

	if (buf_append(b, p, size * n) < 0)
		return 0;   /* curl fails the transfer: CURLE_WRITE_ERROR */
	return size * n;
}

static int add_header(struct chhttp *h, const char *name, const char *v)
{
	struct buf line = BUF_INIT;
	struct curl_slist *l;
	int rc = -ENOMEM;

	if (buf_printf(&line, "%s: %s", name, v) < 0)
		goto out;
	l = h->fn.slist_append(h->hdr, line.data);
	if (!l)
		goto out;
	h->hdr = l;
	rc = 0;
out:
	if (line.data)
		memset(line.data, 0, line.len);   /* a password's copy */
	buf_fini(&line);
	return rc;
}

int chhttp_new(const struct chhttp_conf *c, struct chhttp **out, char *err, size_t errsz)
{
	struct chhttp *h = calloc(1, sizeof *h);
	int rc = -ENOMEM;

	*out = NULL;
	if (!h)
		goto out;
	if (strchr(c->url, '@')) {
		snprintf(err, errsz, "credentials do not belong in the URL: use the environment "
				     "or --credentials FILE");
		rc = -EINVAL;
		goto out;
	}
	h->timeout_s = c->timeout_s > 0 ? c->timeout_s : 300;
	h->url = strdup(c->url);
	h->settings = c->settings ? strdup(c->settings) : NULL;
	if (!h->url || (c->settings && !h->settings))
		goto out;
	if ((rc = curl_load(&h->fn, err, errsz)) < 0)
		goto out;
	rc = -ENOMEM;
	if (!(h->curl = h->fn.easy_init()))
		goto out;
	if ((c->user && add_header(h, "X-ClickHouse-User", c->user) < 0) ||
	    (c->key && add_header(h, "X-ClickHouse-Key", c->key) < 0) ||
	    add_header(h, "Content-Type", "text/tab-separated-values") < 0)
		goto out;
	*out = h;
	h = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	chhttp_free(h);
	return rc;
}

void chhttp_free(struct chhttp *h)
{
	if (!h)
		return;
	if (h->hdr)
		h->fn.slist_free_all(h->hdr);
	if (h->curl)
		h->fn.easy_cleanup(h->curl);
	free(h->url);
	free(h->settings);
	free(h);
}

/* ClickHouse's exception codes for a refused login. */
static bool auth_code(const char *s)
{
	return !strncmp(s, "Code: 192,", 10) || !strncmp(s, "Code: 193,", 10) ||
	       !strncmp(s, "Code: 516,", 10) || !strncmp(s, "Code: 194,", 10);
}

/* The server's exception as one visible line. */
static void first_line(const struct buf *r, char *err, size_t errsz, const char *pre)
{
	char line[512];
	size_t n = r->len;
	const char *nl = r->len ? memchr(r->data, '\n', r->len) : NULL;

	if (nl)
		n = (size_t)(nl - r->data);
	if (n >= sizeof line)
		n = sizeof line - 1;
	if (n)
		memcpy(line, r->data, n);
	line[n] = '\0';
	{
		char shown[300];

		snprintf(err, errsz, "%s%s", pre, termsafe_arg(shown, sizeof shown, line));
	}
}

static int curl_error(const struct curlfn *fn, CURLcode cc, char *err, size_t errsz,
		      const char *url)
{
	char shown[200];

	termsafe_arg(shown, sizeof shown, url);
	switch (cc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(err, errsz, "bad URL %s: %s", shown, fn->easy_strerror(cc));
		return -EINVAL;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_WRITE_ERROR:
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		snprintf(err, errsz, "%s: TLS: %s", shown, fn->easy_strerror(cc));
		return -EACCES;
	default:
		snprintf(err, errsz, "%s: %s", shown, fn->easy_strerror(cc));
		return -EAGAIN;
	}
}

int chhttp_query(struct chhttp *h, const char *query, const char *body, size_t len,
		 struct buf *resp, char *err, size_t errsz)
{
	struct buf url = BUF_INIT;
	char *esc = NULL;
	long status = 0;
	CURLcode cc;
	int rc = -ENOMEM;

	buf_reset(resp);
	if (buf_puts(&url, h->url) < 0)
		goto out;
	if (h->settings && buf_printf(&url, "%s%s", strchr(url.data, '?') ? "&" : "?",
				      h->settings) < 0)
		goto out;
	if (body) {
		esc = h->fn.easy_escape(h->curl, query, 0);
		if (!esc || buf_printf(&url, "%squery=%s", strchr(url.data, '?') ? "&" : "?", esc) < 0)
			goto out;
	} else {
		body = query;
		len = strlen(query);
	}
	h->fn.easy_reset(h->curl);
	h->fn.easy_setopt(h->curl, CURLOPT_URL, url.data);
	h->fn.easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->hdr);
	h->fn.easy_setopt(h->curl, CURLOPT_POST, 1L);
	h->fn.easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	h->fn.easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	h->fn.easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_data);
	h->fn.easy_setopt(h->curl, CURLOPT_WRITEDATA, resp);
	h->fn.easy_setopt(h->curl, CURLOPT_TIMEOUT, h->timeout_s);
	h->fn.easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	h->fn.easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	h->fn.easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = h->fn.easy_perform(h->curl);
	if (cc != CURLE_OK) {
		rc = curl_error(&h->fn, cc, err, errsz, h->url);
		goto out;
	}
	h->fn.easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200) {
		rc = 0;
	} else if (status == 401 || status == 403 || auth_code(resp->data ? resp->data : "")) {
		first_line(resp, err, errsz, "authentication failed: ");
		rc = -EACCES;
	} else if (status == 404 && !(resp->data && !strncmp(resp->data, "Code: ", 6))) {
		snprintf(err, errsz, "bad URL: HTTP 404 (not a ClickHouse HTTP interface?)");
		rc = -EINVAL;
	} else if (resp->data && !strncmp(resp->data, "Code: ", 6)) {
		first_line(resp, err, errsz, "");
		rc = -EBADMSG;
	} else if (status >= 500) {
		snprintf(err, errsz, "server error: HTTP %ld", status);
		rc = -EAGAIN;
	} else {
		snprintf(err, errsz, "unexpected HTTP %ld (not a ClickHouse HTTP interface?)", status);
		rc = -EINVAL;
	}
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	if (esc)
		h->fn.free(esc);
	buf_fini(&url);
	return rc;
}
