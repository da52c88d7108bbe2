/* clich — what `ship` and `fleet` share on the command line: the server's
 * URL and database, credentials from the environment or a private file
 * (never argv, never printed), and the exit status of a failure. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chhttp.h"
#include "cli.h"
#include "ship.h"
#include "termsafe.h"

void cli_ch_defaults(struct cli_ch *ch)
{
	*ch = (struct cli_ch){"http://127.0.0.1:8123", "sockscope", NULL, 300 * USEC_PER_SEC};
}

int cli_ch_status(int err)
{
	return err == -EACCES || err == -EINVAL || err == -ENOENT ? 2 : 1;
}

static bool identifier(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* user= and password= lines of a file only its owner may read. */
static int read_credentials(const char *path, char *user, size_t usz, char *key, size_t ksz,
			    char *err, size_t errsz)
{
	char line[256], shown[TERMSAFE_ARG_SIZE];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	FILE *f;

	termsafe_arg(shown, sizeof shown, path);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errsz, "--credentials %s: %s", shown, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	if (st.st_mode & 077) {
		snprintf(err, errsz, "--credentials %s: readable by group or others (chmod 600)",
			 shown);
		close(fd);
		return -EINVAL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "user=", 5))
			snprintf(user, usz, "%s", line + 5);
		else if (!strncmp(line, "password=", 9))
			snprintf(key, ksz, "%s", line + 9);
		else if (line[0] && line[0] != '#') {
			snprintf(err, errsz, "--credentials %s: expected user= or password= lines",
				 shown);
			rc = -EINVAL;
			break;
		}
	}
	memset(line, 0, sizeof line);
	fclose(f);
	return rc;
}

int cli_ch_connect(const struct cli_ch *ch, const char *who, const char *settings,
		   struct chhttp **out)
{
	char user[256] = "", key[256] = "", err[512] = "";
	const char *eu = getenv("SOCKSCOPE_CH_USER"), *ek = getenv("SOCKSCOPE_CH_PASSWORD");
	struct chhttp_conf c = {ch->url, NULL, NULL, (long)(ch->timeout / USEC_PER_SEC), settings};
	int rc = 0;

	if (!identifier(ch->database)) {
		fprintf(stderr, "%s: --database: letters, digits and _ only\n", who);
		return -1;
	}
	if (ch->credentials)
		rc = read_credentials(ch->credentials, user, sizeof user, key, sizeof key, err,
				      sizeof err);
	if (rc == 0 && !ch->credentials) {
		snprintf(user, sizeof user, "%s", eu ? eu : "");
		snprintf(key, sizeof key, "%s", ek ? ek : "");
	}
	c.user = user[0] ? user : NULL;
	c.key = key[0] ? key : NULL;
	if (rc == 0)
		rc = chhttp_new(&c, out, err, sizeof err);
	memset(key, 0, sizeof key);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", who, err);
		return -1;
	}
	return 0;
}

int cli_ch_check(struct chhttp *h, const char *who, const char *database, int *status)
{
	char err[512] = "";
	int rc = ship_check_schema(h, database, err, sizeof err);

	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", who, err);
		*status = cli_ch_status(rc);
		return -1;
	}
	return 0;
}
