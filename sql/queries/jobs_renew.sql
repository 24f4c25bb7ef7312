-- $1 owner prefix (the instance), $2 lease seconds.
SELECT signalroom.renew_leases($1::text, $2::integer)
