-- $1 owner.  Give back the jobs of an instance that is stopping, so
-- another instance takes them now instead of after the lease (see
-- signalroom.release_jobs).
SELECT signalroom.release_jobs($1::text)
