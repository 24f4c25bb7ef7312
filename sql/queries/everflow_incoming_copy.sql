COPY everflow_incoming (date, affiliate_id, affiliate_label, advertiser_id,
                        advertiser_label, clicks, conversions, revenue,
                        payout, profit) FROM STDIN
