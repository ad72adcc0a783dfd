-- Token buckets of the per-tenant submission limits (Bucket4j's PostgreSQL backend), shared
-- by every API instance: one row per tenant and limit.
CREATE TABLE tenant_rate_buckets (
    id    text  PRIMARY KEY,
    state bytea
);
