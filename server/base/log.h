/*
 * log.h -- one JSON object per line on stderr.
 *
 * Each line has "ts" (RFC 3339 UTC with milliseconds), "level", "msg", the
 * calling thread's context id ("request_id" or "job_id", when set) and the
 * caller's fields.  The level is checked before anything is formatted.
 *
 * Secrets: configuration registers every secret value with
 * sr_log_add_secret() before any thread starts; every line is scanned and
 * each occurrence is replaced by "[REDACTED]", so a secret echoed back by a
 * library error message still never reaches the log.  URLs that carry an
 * api_key go through sr_log_redact_url() before they are logged at all.
 *
 * Thread safety: sr_log() may be called from any thread.  The context is
 * thread-local.  sr_log_add_secret() and sr_log_set_output() are start-up
 * only.
 */
#ifndef SR_LOG_H
#define SR_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum sr_log_level {
  SR_LOG_DEBUG = 0,
  SR_LOG_INFO,
  SR_LOG_WARN,
  SR_LOG_ERROR
};

/** Parse "debug", "info", "warn"/"warning", "error" (any case). */
bool sr_log_level_parse (const char *s, enum sr_log_level *out);

/** @return the canonical name of @a lvl. */
const char *sr_log_level_name (enum sr_log_level lvl);

/** Set / read the minimum level (atomic; may change at run time). */
void sr_log_set_level (enum sr_log_level lvl);
enum sr_log_level sr_log_get_level (void);

/** @return true when a line at @a lvl would be written. */
bool sr_log_enabled (enum sr_log_level lvl);

/**
 * Register a secret to mask in every line.  Values shorter than 4 bytes are
 * ignored (masking them would garble ordinary text).  Start-up only.
 */
void sr_log_add_secret (const char *secret);

/**
 * Replace every registered secret in @a buf (NUL-terminated, capacity
 * @a len) by "[REDACTED]", in place; the result is cut to fit.  For text
 * that leaves the process other than through the log: upstream error
 * bodies stored in runs, jobs and dead letters and returned by the API.
 * @return true when something was masked
 */
bool sr_log_mask (char *buf, size_t len);

/** Forget all registered secrets (tests). */
void sr_log_clear_secrets (void);

/** Write lines to @a fd instead of stderr (tests).  Start-up only. */
void sr_log_set_output (int fd);

/**
 * Set this thread's context: @a key is "request_id" or "job_id", @a id is
 * copied (truncated to 127 bytes).  NULL @a id clears it.
 */
void sr_log_set_context (const char *key, const char *id);

/** @return this thread's context id, or NULL. */
const char *sr_log_context_id (void);

/**
 * Write one line.
 *
 * @param msg    a short constant message ("listening", "migration applied")
 * @param fields NULL, or a jansson json_pack() format of an object whose
 *               members are added to the line, followed by its arguments
 */
void sr_log (enum sr_log_level lvl, const char *msg, const char *fields, ...);

/**
 * Copy @a url to @a out (NUL-terminated, truncated to @a outlen) with the
 * values of sensitive query parameters (api_key, apikey, token,
 * access_token, key, password, secret, signature, X-Amz-Signature,
 * X-Amz-Credential) replaced by "REDACTED".
 */
void sr_log_redact_url (const char *url, char *out, size_t outlen);

#endif /* SR_LOG_H */
