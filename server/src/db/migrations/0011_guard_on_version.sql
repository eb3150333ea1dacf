-- The duplicate guard keeps its body hash on the version it filed instead of a row of its own in
-- idempotency_keys (issue 17: one row and one index entry fewer per capture). Records still in their window
-- move onto their versions; records whose version is gone go with the rest.
ALTER TABLE `asset_versions` ADD `body_sha256` text;--> statement-breakpoint
UPDATE `asset_versions` SET `body_sha256` = (
  SELECT json_extract(k.`response`, '$.sha256') FROM `idempotency_keys` k
   WHERE k.`route` = 'ingest-body' AND k.`key` = `asset_versions`.`id` AND k.`user_id` = `asset_versions`.`created_by`
) WHERE `id` IN (SELECT `key` FROM `idempotency_keys` WHERE `route` = 'ingest-body');--> statement-breakpoint
DELETE FROM `idempotency_keys` WHERE `route` = 'ingest-body';--> statement-breakpoint
ALTER TABLE `idempotency_keys` DROP COLUMN `body_hash`;
