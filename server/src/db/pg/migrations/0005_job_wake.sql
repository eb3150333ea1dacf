-- Every new pending job wakes the workers of every process, on commit, whoever inserted it (the queue, a unit
-- of work of another area, migrate-to): one NOTIFY per kind and transaction (PostgreSQL folds identical ones).
-- The payload is one frame of events/pgChannel.ts's format from the origin "job-enqueued" (jobs/pg/pgQueue.ts).
CREATE OR REPLACE FUNCTION dailies_job_wake() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('dailies_jobs', 'job-enqueued 0 1/1' || chr(10) || NEW.kind);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER jobs_wake AFTER INSERT ON jobs FOR EACH ROW WHEN (NEW.status = 'pending')
  EXECUTE FUNCTION dailies_job_wake();
