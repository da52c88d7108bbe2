/* service — service names back to port numbers ("ssh" -> 22), from a table
 * compiled into the binary (service_table.h): a dump saved without -n names
 * its ports, and the analysis machine's /etc/services is not the recorded
 * machine's. Pure. */
#ifndef SOCKSCOPE_SERVICE_H
#define SOCKSCOPE_SERVICE_H

#include <stddef.h>
#include <stdint.h>

/* The port of service name s[0..len) for proto (IPPROTO_TCP or
 * IPPROTO_UDP; any other protocol looks at TCP's then UDP's). A name the
 * table has only for the other protocol is taken with that port (a dump
 * may name a UDP port by its TCP name). 0 with *port, or -ENOENT. */
int service_port(const char *s, size_t len, int proto, uint16_t *port);

/* Like service_port, but s[0..len) may be the start of the name, cut by
 * netstat to its column: accepted when the names that start so (at
 * least 3 characters) all mean one port. 0, -ENOENT, or -EEXIST when they
 * mean several. */
int service_port_prefix(const char *s, size_t len, int proto, uint16_t *port);

#endif
