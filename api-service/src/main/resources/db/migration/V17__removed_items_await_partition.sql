-- A batch that retention removes from a day partition old enough to be dropped leaves its
-- item rows to that drop (awaits_partition): deleting them row by row first would be the
-- very work the partitioning saves. An admin's delete, a batch in the default partition or
-- in a partition that is not yet past retention still goes row by row. items: how many
-- item rows the batch had, counted as removed when its partition goes.
ALTER TABLE removed_batch_items
    ADD COLUMN awaits_partition boolean NOT NULL DEFAULT false,
    ADD COLUMN items integer NOT NULL DEFAULT 0;
