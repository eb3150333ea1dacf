-- The duplicate guard keeps its body hash on the version it filed instead of a row of its own in
-- idempotency_keys (issue 17), as on SQLite. Records still in their window move onto their versions.
ALTER TABLE "asset_versions" ADD COLUMN "body_sha256" text;--> statement-breakpoint
UPDATE "asset_versions" v SET "body_sha256" = k."response"->>'sha256'
  FROM "idempotency_keys" k
 WHERE k."route" = 'ingest-body' AND k."key" = v."id" AND k."user_id" = v."created_by";--> statement-breakpoint
DELETE FROM "idempotency_keys" WHERE "route" = 'ingest-body';--> statement-breakpoint
CREATE INDEX "asset_versions_body" ON "asset_versions" USING btree ("body_sha256") WHERE "asset_versions"."body_sha256" is not null;--> statement-breakpoint
DROP INDEX "idempotency_keys_body";--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP COLUMN "body_hash";
