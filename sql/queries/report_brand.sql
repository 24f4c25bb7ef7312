-- A brand by its code (any case) or its Everflow advertiser id.
SELECT code, name, advertiser_id, product_category
  FROM signalroom.brands
 WHERE code = upper(btrim($1::text))
    OR advertiser_id::text = btrim($1::text)
 ORDER BY code = upper(btrim($1::text)) DESC
 LIMIT 1
