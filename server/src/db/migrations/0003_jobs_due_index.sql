DROP INDEX `jobs_pending`;--> statement-breakpoint
CREATE INDEX `jobs_due` ON `jobs` (`status`,`kind`,`run_after`,`created_at`);