-- $1 table, $2 JSON array of column names.  Returns the columns added.
SELECT array_to_json(signalroom.ensure_export_table(
         $1::text, ARRAY(SELECT jsonb_array_elements_text($2::jsonb))))::text
