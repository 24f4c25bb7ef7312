/*
 * mem.h -- allocation policy: out of memory aborts.
 *
 * A data service that cannot allocate a few hundred bytes cannot do
 * anything useful or even report reliably, and half-handled NULLs are
 * where the bugs hide.  So, like Redis's zmalloc, every allocation goes
 * through these wrappers, which never return NULL: they write one line to
 * stderr and abort.  main() installs them as jansson's allocator too.
 * Libraries that allocate on their own (libpq, libcurl, MHD) report failure
 * through their return values, which are checked where they are called.
 */
#ifndef SR_MEM_H
#define SR_MEM_H

#include <stddef.h>

void *sr_xmalloc (size_t n);
void *sr_xcalloc (size_t count, size_t size);
void *sr_xrealloc (void *p, size_t n);
char *sr_xstrdup (const char *s);
char *sr_xstrndup (const char *s, size_t n);

/** Install the wrappers as jansson's allocator.  Call once, early. */
void sr_mem_install_json_allocator (void);

#endif /* SR_MEM_H */
