/* snaprender — rebuilds a rendered netstat section of a snapshot from the
 * same snapshot's proc/net sections and processes table, as the recorder
 * rendered it (format 2 stores such sections as derived). Pure. */
#ifndef SOCKSCOPE_SNAPRENDER_H
#define SOCKSCOPE_SNAPRENDER_H

#include <stddef.h>

#include "buf.h"

/* Looks a decoded section up by name: its content, or NULL when absent. */
typedef const char *(*snaprender_get_fn)(void *ctx, const char *name, size_t *len);

/* Appends what section "netstat <args>" held when the recorder rendered
 * it. 0, -ENOMEM, or -EINVAL with *what set (arguments not understood). */
int snaprender_netstat(const char *args, snaprender_get_fn get, void *ctx, struct buf *out,
		       const char **what);

#endif
