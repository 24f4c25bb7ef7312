-- $1 table, $2 file name.  A file's earlier rows, before its new version.
SELECT signalroom.delete_export_rows($1::text, $2::text)
