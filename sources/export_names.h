/*
 * export_names.h -- names derived from S3 exports: tables, columns, dates.
 *
 * Column names follow the old system's (dlt's) snake_case rule, so existing
 * queries keep working: camelCase is split, letters lower-cased, every run
 * of other characters becomes one '_', leading and trailing '_' go, a
 * leading digit gets a '_' in front ("Click ID" -> click_id).
 */
#ifndef SR_EXPORT_NAMES_H
#define SR_EXPORT_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SR_IDENT_MAX 64   /* PostgreSQL identifiers: 63 bytes + NUL */

/**
 * Normalise a CSV header to a column name.
 * @return false when nothing usable remains (empty or only punctuation)
 *         or the result would exceed 63 bytes
 */
bool sr_export_column_name (const char *header, size_t len,
                            char out[SR_IDENT_MAX]);

/**
 * The table of an S3 prefix: '-' and '/' become '_', leading and trailing
 * '_' go ("orders-create" -> orders_create).
 * @return false unless the result is [a-z][a-z0-9_]{0,62}
 */
bool sr_export_table_name (const char *prefix, char out[SR_IDENT_MAX]);

/**
 * The first YYYY-MM-DD in @a key that is a real date.
 * @return true and @a day (days since 1970-01-01) when there is one
 */
bool sr_export_file_date (const char *key, int32_t *day);

#endif /* SR_EXPORT_NAMES_H */
