COPY reports.orders_latest (order_id, client_id, product_category, day,
                            status, total, state, customer, campaign,
                            affiliate, gateway, chargeback, refunded,
                            src_file_date, src_rank, src_file, src_row)
FROM STDIN
