-- $1 row addresses (tid[]) that orders_latest_existing gave, in the same
-- transaction under the reports' lock (so they still hold those rows):
-- removed without looking them up again.
DELETE FROM reports.orders_latest WHERE ctid = ANY ($1::tid[])
