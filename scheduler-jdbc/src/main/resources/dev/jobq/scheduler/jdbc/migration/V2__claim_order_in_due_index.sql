-- jobq scheduler schema, version 2. A claim takes due rows earliest first, ties by id (one-time)
-- or name (recurring), so that concurrent schedulers and retries see one order. With the due index
-- on (status, due_at) alone, the database had to sort every due row to find the first batch: on
-- PostgreSQL a sequential scan and a sort of the whole table for each batch of 100, so draining n
-- due rows cost n²/100 row reads (docs/benchmarks.md, B6). With the tie-breaker in the index, a
-- claim reads the batch it takes, whatever else is in the table.

DROP INDEX jobq_scheduled_job_due;
CREATE INDEX jobq_scheduled_job_due ON jobq_scheduled_job (status, due_at, id);

DROP INDEX jobq_recurring_job_due;
CREATE INDEX jobq_recurring_job_due ON jobq_recurring_job (enabled, due_at, name);
