COPY redtrack_incoming (date, source_id, source_name, source_alias, clicks,
                        conversions, cost) FROM STDIN
