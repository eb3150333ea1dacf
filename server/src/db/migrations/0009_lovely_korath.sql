DROP INDEX `jobs_user`;--> statement-breakpoint
CREATE INDEX `jobs_created` ON `jobs` (`created_at`,`id`);