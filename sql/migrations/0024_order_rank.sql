-- 0024: the rank of an export row, for the loader's statements.
--
-- The loader removes the kept rows a file outranks in the statement that
-- finds them (orders_latest_replace.sql), so the statement ranks them as
-- orders_current ranks export rows: a dated file above an undated one,
-- then the date, the kind (1 create, 2 update), the name in byte order.
-- Rows of one file never meet there (the file's earlier rows are taken
-- out first), so the row number is not needed.  Inlined by the planner.
CREATE FUNCTION reports.file_rank_below(
    p_date date, p_kind smallint, p_file text,
    p_than_date date, p_than_kind smallint, p_than_file text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (p_date IS NOT NULL, coalesce(p_date, '-infinity'), p_kind,
          p_file COLLATE "C")
       < (p_than_date IS NOT NULL, coalesce(p_than_date, '-infinity'),
          p_than_kind, p_than_file COLLATE "C")
$$;
