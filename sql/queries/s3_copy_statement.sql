-- $1 table, $2 JSON array of column names: the binary COPY to load them.
SELECT signalroom.export_copy_statement(
         $1::text, ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
