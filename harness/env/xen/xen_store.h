/*
 * xen_store.h - read one xenstore key without libxenstore: the xenstore
 * wire protocol (xen/io/xs_wire.h: a 16-byte header, then the payload)
 * over xenstored's unix socket or the kernel's xenbus device, the same
 * transports libxenstore uses.  The xen backend needs only reads (the
 * console pty of a domain, whether a domain still exists), and a dom0
 * built from a few packages may not ship xenstore-read.
 */
#ifndef ISOLAT_XEN_STORE_H
#define ISOLAT_XEN_STORE_H

#include <stddef.h>

/* The value of path in out.  0, -ENOENT (no such key), or -errno. */
int xen_store_read(const char *path, char *out, size_t size);

#endif
