-- $1 export table, $2 file name (the object key).  After the file's rows
-- were replaced: the orders' latest state and the daily counts follow, in
-- the caller's transaction.  Returns the orders changed.
SELECT reports.orders_file_loaded($1::text, $2::text)
