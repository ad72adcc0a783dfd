-- The tenant that owns a row: only batches of that tenant may change it. content.creator
-- already names the owner (the seeds' creator); users gain one, set by user.create.
-- NULL means unowned (rows from before owners were recorded): any tenant may change those.
ALTER TABLE catalog.users ADD COLUMN tenant text;
CREATE INDEX users_by_tenant ON catalog.users (tenant) WHERE tenant IS NOT NULL;
