-- Order exports loaded before 0011 were never counted.  0011 created the
-- kept rows (reports.orders_latest) and the rollups empty, and 0013
-- recounted only the clients already in them; loads keep both current
-- only for the files they load.  A database upgraded with its exports in
-- place therefore answered every order report, the state heatmap and the
-- order anomaly checks with nothing until each file was loaded again.
-- Count every client that has export rows and no kept orders, once, as a
-- first backfill (reports.rebuild_orders: one pass under the loaders'
-- lock, bumping the orders data version so caches drop what they hold).
SELECT reports.rebuild_orders(c.client_id)
  FROM (SELECT DISTINCT e.client_id
          FROM signalroom.order_export_rows e
         WHERE e.client_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM reports.orders_latest l
                            WHERE l.client_id = e.client_id)) AS c;
