/*
 * rawhttp.c -- see rawhttp.h.
 */
#include "rawhttp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int
sr_rh_connect (int port)
{
  struct sockaddr_in sa = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;

  if (fd < 0)
    return -1;
  sa.sin_family = AF_INET;
  sa.sin_port = htons ((uint16_t) port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (0 != connect (fd, (struct sockaddr *) &sa, sizeof (sa))) {
    close (fd);
    return -1;
  }
  (void) setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
  return fd;
}

bool
sr_rh_send (int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0) {
    ssize_t w = send (fd, p, len, MSG_NOSIGNAL);

    if (w < 0 && EINTR == errno)
      continue;
    if (w <= 0)
      return false;
    p += w;
    len -= (size_t) w;
  }
  return true;
}

/* Milliseconds left until @a deadline (monotonic seconds), at least 0. */
static int
ms_left (double deadline)
{
  double left = deadline - sr_th_now ();

  return left <= 0 ? 0 : (int) (left * 1000.0) + 1;
}

/* Wait for input on @a fd until @a deadline; recv into @a buf.
 * @return bytes read, 0 on EOF, -1 on error or timeout. */
static ssize_t
recv_until (int fd, char *buf, size_t cap, double deadline)
{
  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int left = ms_left (deadline);
    int rc;
    ssize_t n;

    if (0 == left)
      return -1;
    rc = poll (&p, 1, left);
    if (rc < 0 && EINTR == errno)
      continue;
    if (rc <= 0)
      return -1;
    n = recv (fd, buf, cap, 0);
    if (n < 0 && EINTR == errno)
      continue;
    if (n < 0 && ECONNRESET == errno)
      return 0;   /* a reset is a close, for the caller */
    return n;
  }
}

static bool
parse_into (const char *buf, size_t head_len, size_t total,
            struct sr_th_response *resp)
{
  if (NULL == resp)
    return true;
  memset (resp, 0, sizeof (*resp));
  resp->status = atoi (buf + 9);
  resp->head = strndup (buf, head_len);
  resp->body_len = total - head_len - 4;
  resp->body = malloc (resp->body_len + 1);
  if (NULL == resp->head || NULL == resp->body) {
    sr_th_response_clean (resp);
    return false;
  }
  memcpy (resp->body, buf + head_len + 4, resp->body_len);
  resp->body[resp->body_len] = '\0';
  return true;
}

int
sr_rh_read_one (int fd, int timeout_ms, struct sr_th_response *resp)
{
  double deadline = sr_th_now () + timeout_ms / 1000.0;
  size_t cap = 65536, got = 0, need = 0, head_len = 0;
  char *buf = malloc (cap + 1);
  int status = 0;

  if (NULL != resp)
    memset (resp, 0, sizeof (*resp));
  if (NULL == buf)
    return 0;
  /* One byte at a time would be slow; MSG_PEEK keeps what belongs to the
   * next response in the socket for the next call. */
  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    ssize_t n;
    char *end;

    if (0 == ms_left (deadline) || poll (&p, 1, ms_left (deadline)) <= 0)
      goto out;
    n = recv (fd, buf + got, cap - got, MSG_PEEK);
    if (n <= 0)
      goto out;
    buf[got + (size_t) n] = '\0';
    end = strstr (buf, "\r\n\r\n");
    if (NULL == end) {
      /* Consume what was peeked: it is all head. */
      if (n != recv (fd, buf + got, (size_t) n, 0))
        goto out;
      got += (size_t) n;
      if (got == cap)
        goto out;     /* a head over 64 KiB: not ours */
      continue;
    }
    head_len = (size_t) (end - buf);
    {
      const char *cl = strcasestr (buf, "\r\nContent-Length:");
      size_t body = (NULL != cl && cl < end)
                    ? (size_t) strtoul (cl + 17, NULL, 10) : 0;

      need = head_len + 4 + body;
    }
    if (need > cap) {
      char *grown = realloc (buf, need + 1);

      if (NULL == grown)
        goto out;
      buf = grown;
      cap = need;
    }
    /* Take the rest of the head (and what came of the body) for real. */
    {
      size_t take = got + (size_t) n < need ? got + (size_t) n : need;

      if ((ssize_t) (take - got) != recv (fd, buf + got, take - got, 0))
        goto out;
      got = take;
    }
    break;
  }
  while (got < need) {
    ssize_t n = recv_until (fd, buf + got, need - got, deadline);

    if (n <= 0)
      goto out;
    got += (size_t) n;
  }
  buf[got] = '\0';
  if (0 == strncmp (buf, "HTTP/1.", 7) && parse_into (buf, head_len, got,
                                                      resp))
    status = atoi (buf + 9);
out:
  free (buf);
  return status;
}

bool
sr_rh_read_to_close (int fd, int timeout_ms, char **out, size_t *len)
{
  double deadline = sr_th_now () + timeout_ms / 1000.0;
  size_t cap = 4096, got = 0;
  char *buf = malloc (cap + 1);
  bool closed = false;

  if (NULL == buf)
    return false;
  for (;;) {
    ssize_t n;

    if (cap - got < 1024) {
      char *grown = realloc (buf, cap * 2 + 1);

      if (NULL == grown)
        break;
      buf = grown;
      cap *= 2;
    }
    n = recv_until (fd, buf + got, cap - got, deadline);
    if (0 == n) {
      closed = true;
      break;
    }
    if (n < 0)
      break;
    got += (size_t) n;
  }
  buf[got] = '\0';
  if (NULL != len)
    *len = got;
  if (NULL != out)
    *out = buf;
  else
    free (buf);
  return closed;
}

int
sr_rh_request (int port, const char *raw, size_t len, int timeout_ms,
               struct sr_th_response *resp, double *seconds)
{
  double t0 = sr_th_now ();
  int fd = sr_rh_connect (port);
  int status = 0;

  if (NULL != resp)
    memset (resp, 0, sizeof (*resp));
  if (fd < 0)
    return 0;
  /* A server may answer and close before reading everything. */
  (void) sr_rh_send (fd, raw, len);
  status = sr_rh_read_one (fd, timeout_ms, resp);
  if (NULL != seconds)
    *seconds = sr_th_now () - t0;
  close (fd);
  return status;
}

int
sr_rh_get (int port, const char *target, const char *headers, int timeout_ms,
           struct sr_th_response *resp, double *seconds)
{
  size_t cap = strlen (target) + (headers ? strlen (headers) : 0) + 128;
  char *raw = malloc (cap);
  int n, status;

  if (NULL == raw)
    return 0;
  n = snprintf (raw, cap, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Connection: close\r\n%s\r\n", target,
                headers ? headers : "");
  status = sr_rh_request (port, raw, (size_t) n, timeout_ms, resp, seconds);
  free (raw);
  return status;
}

unsigned long
sr_rh_raise_nofile (void)
{
  struct rlimit rl;

  if (0 != getrlimit (RLIMIT_NOFILE, &rl))
    return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void) setrlimit (RLIMIT_NOFILE, &rl);
    (void) getrlimit (RLIMIT_NOFILE, &rl);
  }
  return (unsigned long) rl.rlim_cur;
}

/* end of rawhttp.c */
