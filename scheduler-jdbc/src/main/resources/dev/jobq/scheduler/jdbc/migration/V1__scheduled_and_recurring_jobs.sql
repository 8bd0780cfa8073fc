-- jobq scheduler schema, version 1. Runs unchanged on H2 and PostgreSQL, and is the source the
-- build generates its jOOQ classes from. Applied by Flyway with the history table
-- jobq_schema_history, so it lives beside an application's own Flyway migrations.

-- One-time jobs: held until due_at, then handed to the queue exactly once.
CREATE TABLE jobq_scheduled_job (
    id                VARCHAR(64)              NOT NULL,
    type              VARCHAR(255)             NOT NULL,
    queue             VARCHAR(255)             NOT NULL,
    payload           TEXT                     NOT NULL,
    options           TEXT                     NOT NULL,
    trace_id          VARCHAR(255),
    -- sha-256 of queue and deduplication key while the job is scheduled; NULL otherwise
    pending_key       VARCHAR(64),
    scheduled_for     TIMESTAMP WITH TIME ZONE NOT NULL,
    -- when a scheduler next tries it: scheduled_for, later after a failed hand-off
    due_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    -- SCHEDULED, ENQUEUED or CANCELLED
    status            VARCHAR(16)              NOT NULL,
    attempts          INTEGER                  NOT NULL,
    error             VARCHAR(2000),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT jobq_scheduled_job_pk PRIMARY KEY (id),
    CONSTRAINT jobq_scheduled_job_pending_key UNIQUE (pending_key)
);

CREATE INDEX jobq_scheduled_job_due ON jobq_scheduled_job (status, due_at);
CREATE INDEX jobq_scheduled_job_updated ON jobq_scheduled_job (status, updated_at);

-- Recurring jobs: next_run_at is the next occurrence on the schedule's grid.
CREATE TABLE jobq_recurring_job (
    name              VARCHAR(255)             NOT NULL,
    type              VARCHAR(255)             NOT NULL,
    queue             VARCHAR(255)             NOT NULL,
    payload           TEXT                     NOT NULL,
    options           TEXT                     NOT NULL,
    schedule          VARCHAR(255)             NOT NULL,
    timezone          VARCHAR(64)              NOT NULL,
    enabled           BOOLEAN                  NOT NULL,
    -- FIRE_ONCE, SKIP or FIRE_ALL
    misfire_policy    VARCHAR(16)              NOT NULL,
    next_run_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    -- when a scheduler next looks at it: next_run_at, later after a failed hand-off
    due_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    attempts          INTEGER                  NOT NULL,
    last_run_at       TIMESTAMP WITH TIME ZONE,
    last_error        VARCHAR(2000),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT jobq_recurring_job_pk PRIMARY KEY (name)
);

CREATE INDEX jobq_recurring_job_due ON jobq_recurring_job (enabled, due_at);
