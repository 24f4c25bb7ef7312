-- Which Redtrack traffic source (ad account) belongs to which Everflow
-- affiliate and advertiser.  Replaced whole per client by `mapping load` /
-- PUT /v1/mappings/affiliates.  NULL = `n/a` in the file (unknown).
CREATE TABLE signalroom.affiliate_mapping (
  client_id                 text        NOT NULL,
  redtrack_source_id        text        NOT NULL,
  redtrack_source_name      text        NOT NULL,
  redtrack_source_alias     text,
  everflow_affiliate_id     bigint,
  everflow_affiliate_label  text,
  everflow_advertiser_id    bigint,
  everflow_advertiser_label text,
  line                      integer     NOT NULL,
  loaded_at                 timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, redtrack_source_id)
);

-- Everflow affiliate labels whose cost is Redtrack spend (the agency's own
-- paid media).  Written from SIGNALROOM_INTERNAL_AFFILIATES; compared after
-- trimming spaces.
CREATE TABLE signalroom.internal_affiliates (
  client_id text NOT NULL,
  label     text NOT NULL CHECK (label = btrim(label) AND label <> ''),
  PRIMARY KEY (client_id, label)
);
INSERT INTO signalroom.internal_affiliates (client_id, label)
VALUES ('713', 'G2 - Meta'), ('713', 'G2 - Google'),
       ('713', 'SB - Meta'), ('713', 'SB - Google');

-- The old system's table name, for queries that read it.
CREATE VIEW public.affiliate_mapping AS
SELECT client_id AS _client_id, redtrack_source_name, redtrack_source_alias,
       redtrack_source_id, everflow_affiliate_id, everflow_affiliate_label,
       everflow_advertiser_id, everflow_advertiser_label, loaded_at
  FROM signalroom.affiliate_mapping;
