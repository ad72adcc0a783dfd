-- batch_items partitioned by time, so that retention drops a day's partition instead of
-- deleting its rows one by one (a DELETE of millions of rows writes them all to the WAL, leaves
-- them dead for vacuum and bloats the indexes). Batch ids are UUIDv7: their first 48 bits are
-- the creation time in milliseconds, and uuid compares byte by byte, so a RANGE on batch_id is
-- a range of creation times. Every query on the table names batch_id, so it reads one
-- partition, and the primary key (batch_id, seq) stays as it was.
--
-- One partition per UTC day (batch_items_YYYYMMDD), created ahead by the API's maintenance
-- job (ItemPartitions); the DEFAULT partition takes every id no day partition covers (ids that
-- are not UUIDv7, a day the job failed to create), so an insert is never refused.

-- The smallest UUID of the millisecond `at`: a day partition's bounds.
CREATE FUNCTION batch_items_id_at(at timestamptz) RETURNS uuid LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-0000-0000-000000000000')::uuid
      FROM lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') AS h
$$;

-- The day partitions and their bounds, kept in the transaction that creates or drops one:
-- retention reads it instead of parsing the catalog's partition bounds.
CREATE TABLE batch_items_partitions (
    day     date PRIMARY KEY,
    name    text NOT NULL UNIQUE,
    from_id uuid NOT NULL,
    to_id   uuid NOT NULL
);

ALTER TABLE batch_items RENAME TO batch_items_unpartitioned;
ALTER INDEX batch_items_pkey RENAME TO batch_items_unpartitioned_pkey;
ALTER INDEX batch_items_by_status RENAME TO batch_items_unpartitioned_by_status;
ALTER INDEX batch_items_attention RENAME TO batch_items_unpartitioned_attention;

-- same columns in the same order, same defaults, NOT NULLs and the status CHECK (same name)
CREATE TABLE batch_items (LIKE batch_items_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (batch_id);
ALTER TABLE batch_items ADD PRIMARY KEY (batch_id, seq);
-- GET /items?status=, the export by status, the console's top errors, the retry round's reset
-- and the diagnosis's count of undispatched items: a range of one batch and one status
CREATE INDEX batch_items_by_status ON batch_items (batch_id, status, seq);
-- V11's partial index for the diagnosis, unchanged
CREATE INDEX batch_items_attention ON batch_items (batch_id)
    WHERE status = 'pending' AND (started_at IS NOT NULL OR retry_tier IS NOT NULL OR crashes > 0);
-- V7's guard; a row trigger of a partitioned table fires on every partition, present and future
CREATE TRIGGER batch_items_status_guard BEFORE UPDATE OF status ON batch_items
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION refuse_illegal_status_move('item');

-- Storage of every partition (a partitioned table has no storage of its own, so no storage
-- parameters): see "The tables at scale" in the README.
--  * fillfactor 85: room on each page for the new version of the rows the tracker updates
--    (once or twice per item), so it stays on the page and page pruning reclaims the old one;
--  * vacuum after 2 % of the rows changed (not 20 %: a 5,000,000-row day would otherwise
--    carry a million dead rows before its first vacuum), and after 5 % new rows (the
--    visibility map for index-only scans, and freezing early rather than in one big pass);
--  * no vacuum cost delay: the partition that is being updated is the one that needs it now;
--  * no statistics before 100,000 rows changed. A partition without statistics is assumed to
--    be at least 10 pages, and a lookup by (batch_id, seq) uses the primary key. Statistics
--    taken while it is empty or tiny would make the lookup's plan a sequential scan, and a
--    cached generic plan keeps that plan while the day's partition grows to millions of rows
--    (until the next ANALYZE invalidates it): the tracker would scan it once per result.
CREATE FUNCTION batch_items_storage() RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'fillfactor = 85, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 10000, '
        || 'autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_insert_threshold = 100000, '
        || 'autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 100000, '
        || 'autovacuum_vacuum_cost_delay = 0'
$$;

-- Adds the partition of one UTC day unless it exists; true if it added it. The table is made
-- on its own and then attached: ATTACH takes only a SHARE UPDATE EXCLUSIVE lock on
-- batch_items (CREATE TABLE ... PARTITION OF would take an ACCESS EXCLUSIVE one and wait
-- behind, then block, every statement on the table). Attaching checks the DEFAULT partition
-- holds no row of the day, and fails if it does (those rows stay where they are).
CREATE FUNCTION add_batch_items_partition(day date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    part    text := 'batch_items_' || to_char(day, 'YYYYMMDD');
    from_id uuid := batch_items_id_at(day::timestamp AT TIME ZONE 'UTC');
    to_id   uuid := batch_items_id_at((day + 1)::timestamp AT TIME ZONE 'UTC');
BEGIN
    IF EXISTS (SELECT 1 FROM batch_items_partitions p WHERE p.day = add_batch_items_partition.day) THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE batch_items INCLUDING DEFAULTS INCLUDING CONSTRAINTS) WITH (%s)',
                   part, batch_items_storage());
    EXECUTE format('ALTER TABLE batch_items ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, from_id, to_id);
    INSERT INTO batch_items_partitions (day, name, from_id, to_id) VALUES (day, part, from_id, to_id);
    RETURN true;
END $$;

DO $$ BEGIN
    EXECUTE format('CREATE TABLE batch_items_default PARTITION OF batch_items DEFAULT WITH (%s)', batch_items_storage());
END $$;

-- a partition for every day the existing UUIDv7 ids were made on (within a year; anything
-- else goes to the default partition), and for today and the next week
SELECT add_batch_items_partition(d)
  FROM (SELECT DISTINCT (to_timestamp(('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint / 1000.0)
                         AT TIME ZONE 'UTC')::date AS d
          FROM batches
         WHERE substr(id::text, 15, 1) = '7'
        UNION
        SELECT DISTINCT (to_timestamp(('x' || substr(replace(batch_id::text, '-', ''), 1, 12))::bit(48)::bigint / 1000.0)
                         AT TIME ZONE 'UTC')::date
          FROM (SELECT DISTINCT batch_id FROM batch_items_unpartitioned) i
         WHERE substr(batch_id::text, 15, 1) = '7'
        UNION
        SELECT (now() AT TIME ZONE 'UTC')::date + n FROM generate_series(0, 7) AS n) days
 WHERE d BETWEEN (now() AT TIME ZONE 'UTC')::date - 366 AND (now() AT TIME ZONE 'UTC')::date + 7
 ORDER BY d;

INSERT INTO batch_items SELECT * FROM batch_items_unpartitioned;
DROP TABLE batch_items_unpartitioned;
-- no ANALYZE: autovacuum analyzes the partitions that got enough rows (see batch_items_storage)
