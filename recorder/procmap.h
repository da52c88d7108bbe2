/* procmap — socket inode -> owning pid and program, from /proc/<pid>/fd.
 * Processes vanishing mid-scan are normal and silently skipped. */
#ifndef SOCKSCOPE_PROCMAP_H
#define SOCKSCOPE_PROCMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Memory stays bounded: a scan stops adding entries after this many socket
 * inodes (about 200 MiB of tables) and says so via procmap_truncated(). */
#define PROCMAP_MAX_ENTRIES (4u * 1024 * 1024)

struct procmap;

struct procmap_entry {
	uint64_t inode;
	int32_t pid;
	const char *program;   /* net-tools style: argv[0] up to its first NUL,
	                        * bytes outside ' '..'~' replaced by '.', the
	                        * basename when it starts with '/'; "" if none */
	const char *comm;      /* /proc/<pid>/comm without newline */
};

struct procmap *procmap_new(void);
void procmap_free(struct procmap *m);   /* NULL is a no-op */

/* Forgets the previous scan and reads proc_root ("/proc" normally) anew.
 * Like net-tools, the first process (in readdir order) holding an inode
 * owns it. Returns the number of socket inodes found or -errno when
 * proc_root itself cannot be read. */
long procmap_scan(struct procmap *m, const char *proc_root);

/* Entry for inode, or NULL. Pointers valid until the next scan/free. */
const struct procmap_entry *procmap_find(const struct procmap *m, uint64_t inode);

/* All entries in scan order; *n set to the count. */
const struct procmap_entry *procmap_entries(const struct procmap *m, size_t *n);

/* True when the last scan hit PROCMAP_MAX_ENTRIES and stopped early. */
bool procmap_truncated(const struct procmap *m);

/* Processes of the last scan whose fd directory could not be read
 * (EACCES/EPERM: another user's, without the privilege): their sockets
 * have no owner in the map, as with netstat -p run by a user. */
size_t procmap_denied(const struct procmap *m);

#endif
