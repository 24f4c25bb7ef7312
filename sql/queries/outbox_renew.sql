-- $1 notification id, $2 owner, $3 lease seconds.
SELECT signalroom.renew_notification($1::bigint, $2::text, $3::integer)
