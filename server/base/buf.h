/*
 * buf.h -- growable byte buffer with a mandatory ceiling.
 *
 * Every buffer that grows from outside input (request bodies, upstream
 * responses) is created with the most it may ever hold; an append past it
 * fails with SR_E_TOO_LARGE and leaves the buffer as it was.  The data is
 * always NUL-terminated so text can be used in place.
 */
#ifndef SR_BUF_H
#define SR_BUF_H

#include <stddef.h>

#include "status.h"

struct sr_buf {
  char *data;     /* NULL until the first append */
  size_t len;
  size_t cap;
  size_t max;     /* ceiling on len */
};

/** Bytes borrowed from elsewhere: one piece of a body sent in parts. */
struct sr_bytes {
  const char *p;
  size_t n;
};

/** Initialise an empty buffer that may hold at most @a max bytes. */
void sr_buf_init (struct sr_buf *b, size_t max);

/** Append @a n bytes.  @return SR_OK or SR_E_TOO_LARGE. */
enum sr_status sr_buf_append (struct sr_buf *b, const void *p, size_t n);

/** Append a NUL-terminated string.  @return SR_OK or SR_E_TOO_LARGE. */
enum sr_status sr_buf_puts (struct sr_buf *b, const char *s);

/** Room to write up to @a n more bytes in place: where to write them
 * (then sr_buf_commit() what was written), or NULL past the cap. */
char *sr_buf_room (struct sr_buf *b, size_t n);

/** Count @a n bytes written at sr_buf_room()'s pointer as appended
 * (no more than the room asked for). */
void sr_buf_commit (struct sr_buf *b, size_t n);

/** @return the contents as a C string ("" when empty); borrowed. */
const char *sr_buf_str (const struct sr_buf *b);

/** Empty the buffer, keeping its memory. */
void sr_buf_reset (struct sr_buf *b);

/** Take the contents (caller frees; never NULL); the buffer is emptied. */
char *sr_buf_steal (struct sr_buf *b, size_t *len);

/** Free the memory; the buffer may be reused after sr_buf_init(). */
void sr_buf_clean (struct sr_buf *b);

#endif /* SR_BUF_H */
