/*
 * csv.h -- streaming RFC 4180 CSV parser with per-record error recovery.
 *
 * Used for the affiliate mapping file and for Sticky.io order exports
 * streamed from S3.  Input arrives in chunks of any size (as the network
 * delivers it); each complete record is handed to a callback, so a file is
 * never held whole in memory.
 *
 * Dialect (what the parser accepts):
 *  - A UTF-8 BOM (EF BB BF) at the very start of the stream is skipped.  A
 *    BOM anywhere else is data (it is valid UTF-8, U+FEFF).
 *  - A record ends at LF or CRLF outside quotes.  A CR that is not followed
 *    by LF is data in an unquoted field (old Mac CR-only files are not
 *    supported: the whole file becomes one record, "record too long").  A
 *    CR as the very last byte of the input ends the record like CRLF: the
 *    only way it arises is a CRLF file cut after the CR, and keeping it
 *    would put an invisible CR into the last field.
 *  - The last record may lack a line terminator.  Input ending in a line
 *    terminator does not produce a further empty record.
 *  - Empty lines (nothing, or only CR, before the LF) are skipped; they are
 *    not records and do not consume a record index, but they count as
 *    physical lines, so later line numbers stay true to the file.  A line
 *    holding only spaces is a record with one field.
 *  - Fields are separated by commas; nothing is trimmed.  A field starting
 *    with '"' is quoted: it may contain commas, CR, LF, and "" for one '"'.
 *    After the closing quote only a comma or a line end may follow.
 *  - NUL bytes: a record containing one is bad ("NUL byte").  They are
 *    valid UTF-8, but every consumer of this parser stores text in
 *    PostgreSQL, which cannot hold them, and refusing them here means a
 *    good record's fields never contain NUL.
 *
 * Bad records.  These make one record bad; the parser reports it with its
 * raw bytes and a reason and continues with the next record:
 *    quote inside an unquoted field        ab"c
 *    character after a closing quote       "ab"c
 *    invalid UTF-8 (strict, see utf8.h), NUL byte
 *    record longer than max_record_bytes (raw then holds only the first
 *    max_record_bytes bytes, and rec->truncated is set)
 * After a quote error the parser goes on reading the record leniently (the
 * stray quote, or the junk after the closing quote, is taken as plain
 * data), so later quoted fields of the same record -- even ones holding
 * line breaks -- still belong to it, and the next record starts where it
 * would have.  Field-count checks are the caller's (it knows the header):
 * every good record carries its field count.
 *
 * The one stream-ending error: input that ends inside a quoted field.  That
 * record is reported bad, reason "unterminated quoted field", and
 * sr_csv_finish() returns SR_E_INVALID.
 *
 * Memory.  A record that fits inside one fed chunk is delivered without
 * copying: unquoted fields, and quoted ones without "", point into the
 * caller's chunk.  Only a record split across chunks is copied, into a
 * carry buffer; fields holding "" are unescaped into a scratch buffer.
 * Both are capped at max_record_bytes; the field arrays cost 24 bytes per
 * field, at most one field per byte of a record, so the worst case (a
 * record of nothing but commas) is about 26 x max_record_bytes.  All of it
 * belongs to the parser and is released by sr_csv_free().
 */
#ifndef SR_CSV_H
#define SR_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/** max_record_bytes used when sr_csv_new() is given 0: 1 MiB. */
#define SR_CSV_DEFAULT_MAX_RECORD ((size_t) 1 << 20)

/** Largest accepted max_record_bytes (larger values are clamped): 1 GiB. */
#define SR_CSV_LIMIT_MAX_RECORD ((size_t) 1 << 30)

/**
 * One field, unescaped (quotes removed, "" turned into ").  NOT
 * NUL-terminated: use len.  Never contains a NUL byte, always valid UTF-8.
 */
struct sr_csv_field {
  const char *ptr;
  size_t len;
};

/**
 * One record as seen by the callback.  Every pointer in it (fields, their
 * ptr, raw, and the reason string) is valid only until the callback
 * returns: it may point into the chunk being fed or into buffers the next
 * record reuses.  Copy what must outlive the call.
 */
struct sr_csv_record {
  /** Good records: the fields, n_fields >= 1.  Bad records: NULL, 0. */
  const struct sr_csv_field *fields;
  size_t n_fields;
  /** 1-based physical line where the record starts (BOM not counted). */
  uint64_t line;
  /** 0-based record number, good and bad alike (the header is 0). */
  uint64_t index;
  /**
   * The record's bytes exactly as in the input, without the line
   * terminator (LF or CRLF) -- what a quarantine table stores.
   */
  const char *raw;
  size_t raw_len;
  /** true when the record was longer than max_record_bytes: raw then holds
   *  only its first max_record_bytes bytes. */
  bool truncated;
};

enum sr_csv_event {
  SR_CSV_RECORD,        /* a good record */
  SR_CSV_BAD_RECORD     /* a bad record: raw and reason are set */
};

/**
 * Called once per record, in input order.  @a reason is NULL for
 * SR_CSV_RECORD, else a short human text (valid during the call only).
 * Return SR_OK to continue; any other value stops the parser, and that
 * value is returned by the sr_csv_feed() or sr_csv_finish() running and by
 * every later call of either.  The callback must not call sr_csv_feed(),
 * sr_csv_finish() or sr_csv_free() on the parser that called it.
 */
typedef enum sr_status
(*sr_csv_cb) (void *cls, enum sr_csv_event ev,
              const struct sr_csv_record *rec, const char *reason);

struct sr_csv;

/**
 * Create a parser.  @a max_record_bytes caps one record's raw length
 * (without terminator); 0 means SR_CSV_DEFAULT_MAX_RECORD.  Never NULL
 * (allocation failure aborts, see mem.h).  Free with sr_csv_free().
 */
struct sr_csv *
sr_csv_new (size_t max_record_bytes, sr_csv_cb cb, void *cls);

/**
 * Parse the next @a len bytes of input (any split is fine, @a len may be
 * 0).  Calls the callback for every record completed by these bytes.
 * @return SR_OK, or the callback's non-OK status (the parser is then
 *         stopped), or SR_E_INTERNAL when called after sr_csv_finish().
 */
enum sr_status
sr_csv_feed (struct sr_csv *p, const char *data, size_t len);

/**
 * End of input: delivers the last record if it lacked a line terminator.
 * @return SR_OK; SR_E_INVALID when the input ended inside a quoted field
 *         (after reporting that record as bad); or the callback's non-OK
 *         status.  Calling it again returns the same value and does
 *         nothing.
 */
enum sr_status
sr_csv_finish (struct sr_csv *p);

/** Release the parser and all its buffers.  NULL is fine. */
void
sr_csv_free (struct sr_csv *p);

/** @return the number of good records delivered so far. */
uint64_t
sr_csv_records (const struct sr_csv *p);

/** @return the number of bad records delivered so far. */
uint64_t
sr_csv_bad_records (const struct sr_csv *p);

/** @return the number of bytes given to sr_csv_feed() so far (BOM and line
 *          terminators included; bytes fed after a stop are not counted). */
uint64_t
sr_csv_bytes (const struct sr_csv *p);

#endif /* SR_CSV_H */
