-- jobq scheduler schema, version 4. A one-time job handed on to its queue leaves
-- jobq_scheduled_job: the firing transaction deletes its row and records the id and the instant in
-- jobq_scheduled_job_done, which the purge empties after `retention`. Marking the row ENQUEUED
-- instead wrote a whole new row version and an entry in every index it met (on PostgreSQL no HOT
-- update is possible: the status is in the due index's key and predicate), while a delete touches
-- no index and the record here is two columns (docs/benchmarks.md, B6). The record is what a
-- retried schedule(...) of an id already handed on is recognised by.

CREATE TABLE jobq_scheduled_job_done (
    id                VARCHAR(64)              NOT NULL,
    handed_on_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT jobq_scheduled_job_done_pk PRIMARY KEY (id)
);

CREATE INDEX jobq_scheduled_job_done_at ON jobq_scheduled_job_done (handed_on_at);

INSERT INTO jobq_scheduled_job_done (id, handed_on_at)
    SELECT id, updated_at FROM jobq_scheduled_job WHERE status = 'ENQUEUED';

DELETE FROM jobq_scheduled_job WHERE status = 'ENQUEUED';
