-- public.daily_performance: what each affiliate really cost per conversion,
-- per day and brand.  Internal affiliates (their labels are in
-- signalroom.internal_affiliates) cost what Redtrack says their mapped
-- traffic sources spent; everyone else costs the Everflow payout.
-- Conversions always come from Everflow.  Labels are trimmed, so Everflow's
-- "G2 - Meta " and "G2 - Meta" are one affiliate and its spend is counted
-- once.  A FULL JOIN keeps internal spend on a day Everflow shows nothing
-- for that affiliate (conversions 0), instead of losing it.
CREATE VIEW public.daily_performance AS
WITH ef AS (
  SELECT s._client_id AS client_id, s.date, s.advertiser_id,
         max(s.advertiser_label) AS advertiser_label,
         btrim(s.affiliate_label) AS affiliate_label,
         sum(s.conversions)::bigint AS conversions,
         sum(s.payout) AS payout, sum(s.revenue) AS revenue
    FROM everflow.daily_stats s
   GROUP BY s._client_id, s.date, s.advertiser_id, btrim(s.affiliate_label)
), rt AS (
  SELECT d._client_id AS client_id, d.date,
         m.everflow_advertiser_id AS advertiser_id,
         max(m.everflow_advertiser_label) AS advertiser_label,
         btrim(m.everflow_affiliate_label) AS affiliate_label,
         sum(d.cost) AS cost, sum(d.clicks)::bigint AS clicks
    FROM redtrack.daily_spend d
    JOIN signalroom.affiliate_mapping m
      ON m.client_id = d._client_id AND m.redtrack_source_id = d.source_id
   WHERE btrim(coalesce(m.everflow_affiliate_label, '')) <> ''
     AND m.everflow_advertiser_id IS NOT NULL
   GROUP BY d._client_id, d.date, m.everflow_advertiser_id,
            btrim(m.everflow_affiliate_label)
), joined AS (
  SELECT coalesce(ef.client_id, rt.client_id) AS client_id,
         coalesce(ef.date, rt.date) AS date,
         coalesce(ef.advertiser_id, rt.advertiser_id) AS advertiser_id,
         coalesce(ef.advertiser_label, rt.advertiser_label) AS advertiser_label,
         coalesce(ef.affiliate_label, rt.affiliate_label) AS affiliate_label,
         coalesce(ef.conversions, 0) AS conversions,
         coalesce(ef.payout, 0) AS everflow_payout,
         coalesce(ef.revenue, 0) AS everflow_revenue,
         coalesce(rt.cost, 0) AS redtrack_cost,
         coalesce(rt.clicks, 0) AS redtrack_clicks
    FROM ef
    FULL JOIN rt
      ON rt.client_id = ef.client_id AND rt.date = ef.date
     AND rt.advertiser_id = ef.advertiser_id
     AND rt.affiliate_label = ef.affiliate_label
), costed AS (
  SELECT j.*, ia.label IS NOT NULL AS is_internal,
         CASE WHEN ia.label IS NOT NULL THEN j.redtrack_cost
              ELSE j.everflow_payout END AS cost
    FROM joined j
    LEFT JOIN signalroom.internal_affiliates ia
      ON ia.client_id = j.client_id AND ia.label = j.affiliate_label
)
SELECT date, advertiser_id, advertiser_label, affiliate_label, conversions,
       everflow_payout, everflow_revenue, redtrack_cost, redtrack_clicks,
       is_internal, cost,
       CASE WHEN conversions > 0 THEN round(cost / conversions, 2)
            ELSE 0 END AS cpa,
       client_id AS _client_id
  FROM costed;

COMMENT ON VIEW public.daily_performance IS
  'Per day, advertiser and affiliate: Everflow conversions, true cost (Redtrack spend for internal affiliates, Everflow payout otherwise) and CPA';

-- public.unmapped_spend: Redtrack spend that is not counted as any
-- affiliate's cost, with the reason, so it can be fixed instead of lost.
CREATE VIEW public.unmapped_spend AS
SELECT d.date, d.source_id, d.source_name, d.cost,
       CASE
         WHEN m.redtrack_source_id IS NULL
           THEN 'source not in the affiliate mapping'
         WHEN btrim(coalesce(m.everflow_affiliate_label, '')) = ''
           THEN 'mapping has no Everflow affiliate'
         WHEN m.everflow_advertiser_id IS NULL
           THEN 'mapping has no Everflow advertiser'
         ELSE 'mapped to an external affiliate: its cost is the Everflow payout'
       END AS reason,
       d._client_id
  FROM redtrack.daily_spend d
  LEFT JOIN signalroom.affiliate_mapping m
    ON m.client_id = d._client_id AND m.redtrack_source_id = d.source_id
  LEFT JOIN signalroom.internal_affiliates ia
    ON ia.client_id = d._client_id
   AND ia.label = btrim(m.everflow_affiliate_label)
 WHERE d.cost <> 0
   AND (m.redtrack_source_id IS NULL
        OR btrim(coalesce(m.everflow_affiliate_label, '')) = ''
        OR m.everflow_advertiser_id IS NULL
        OR ia.label IS NULL);

COMMENT ON VIEW public.unmapped_spend IS
  'Redtrack spend per day and source that no internal affiliate''s cost includes, and why';
