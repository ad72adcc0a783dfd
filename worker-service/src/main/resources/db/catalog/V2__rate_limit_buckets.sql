-- Token buckets of the global per-operation rate limits (Bucket4j's PostgreSQL backend):
-- one row per limited operation, shared by every worker replica.
CREATE SCHEMA IF NOT EXISTS worker;
CREATE TABLE worker.rate_limit_buckets (
    id    text  PRIMARY KEY,
    state bytea
);
