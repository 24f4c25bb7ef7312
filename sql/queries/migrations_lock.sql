-- Serialises migration runs across every instance sharing the database.
-- A transaction-level lock: it needs no session state, so it also works
-- through a transaction pooler, and it is released by COMMIT or ROLLBACK.
SELECT pg_advisory_xact_lock(6000855520389845569)
