-- Job lists walk the jobs table by rowid, newest first (repositories/jobs.ts): the index on created_at cost every
-- queued job, a capture's mirror job included, ~2 µs of the API's thread (issue 17).
DROP INDEX `jobs_created`;