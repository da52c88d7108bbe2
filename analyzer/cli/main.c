/* sockscope — the analyzer's command line: the table of subcommands, the
 * top-level usage and the dispatch. Each command (or family) lives in its
 * own cli/cmd_*.c with its options table and options struct. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "cli.h"
#include "termsafe.h"

/* In the order `sockscope --help` lists them. */
static const struct cmd *const cmds[] = {
	&cli_import, &cli_sources, &cli_query, &cli_summary, &cli_top, &cli_timeline, &cli_spikes,
	&cli_ports, &cli_programs, &cli_blocklist, &cli_html, &cli_netstat, &cli_dump, &cli_verify,
	&cli_ship, &cli_fleet,
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static void usage(FILE *f)
{
	fprintf(f, "Usage: sockscope COMMAND [OPTION]... [ARG]...\n"
		   "Import socket recordings and netstat/ss dumps into SQLite and ask them who\n"
		   "attacked, when and against what.\n\nCommands:\n");
	for (size_t i = 0; i < NCMDS; i++) {
		const char *s = cmds[i]->summary, *nl = strchr(s, '\n');

		fprintf(f, "  %-10s %.*s\n", cmds[i]->name, nl ? (int)(nl - s) : (int)strlen(s), s);
	}
	fprintf(f, "\n'sockscope COMMAND --help' describes each. The database is ./sockscope.db,\n"
		   "$SOCKSCOPE_DB or -d FILE. See sockscope(1), docs/SCHEMA.md.\n");
}

int main(int argc, char **argv)
{
	/* SQLite's global configuration (process-wide, so here): no memory
	 * statistics, which cost a global mutex on every allocation */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("sockscope %s\n", SOCKSCOPE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(argv[1], cmds[i]->name))
			return cmds[i]->fn(cmds[i], argc - 1, argv + 1);
	{
		char shown[TERMSAFE_ARG_SIZE];

		fprintf(stderr, "sockscope: unknown command '%s'\n",
			termsafe_arg(shown, sizeof shown, argv[1]));
	}
	usage(stderr);
	return 2;
}
