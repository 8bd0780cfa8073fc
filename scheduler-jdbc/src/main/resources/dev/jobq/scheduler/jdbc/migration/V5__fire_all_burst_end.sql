-- jobq scheduler schema, version 5. A FIRE_ALL job enqueues its missed occurrences, oldest first, at most
-- fireAllLimit of them. A hand-off that failed partway through those was retried from the occurrence that failed,
-- counting fireAllLimit afresh from there, so the job fired more than fireAllLimit in all. The failed try now keeps
-- the last occurrence of the burst here, and the retry goes on with that burst only. NULL otherwise. A value before
-- next_run_at belongs to no burst (a process of an older jobq, which does not know the column, moved the row on
-- without clearing it) and is not read. IF NOT EXISTS: on H2 a start killed after the column was added and before
-- the version was recorded runs the version again.
ALTER TABLE jobq_recurring_job ADD COLUMN IF NOT EXISTS fire_all_until TIMESTAMP WITH TIME ZONE;
