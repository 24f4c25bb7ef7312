-- One writer of the order reports at a time, until the transaction ends
-- (reports.orders_file_loaded and rebuild_orders take the same lock).
SELECT pg_advisory_xact_lock(hashtext('signalroom.reports:orders'))
