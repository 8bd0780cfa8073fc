package dev.jobq.scheduler.jdbc;

import static dev.jobq.scheduler.jdbc.schema.tables.JobqRecurringJob.JOBQ_RECURRING_JOB;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.MisfirePolicy;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.scheduler.jdbc.schema.tables.records.JobqRecurringJobRecord;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.UntrustedText;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneRulesException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jspecify.annotations.Nullable;

/**
 * The {@code jobq_recurring_job} table: recurring jobs by name. {@code next_run_at} is always the
 * next occurrence on the job's grid, kept while the job is disabled so that enabling it again
 * continues the same grid; {@code due_at} is when a scheduler next looks at the row (the next run,
 * or later after a failed hand-off).
 */
final class RecurringJobs {

    private final OptionsJson optionsJson = new OptionsJson();
    /** For the listing's problem: a schedule this version cannot read is said there, as a zone or a policy is. */
    private final ScheduleParser parser = new ScheduleParser();

    /**
     * Inserts or updates {@code job}. The next run is kept when the schedule and timezone (under any of
     * its names) are unchanged (and moved past {@code now} when a disabled job is enabled), and computed
     * afresh otherwise; on PostgreSQL a name another transaction inserted meanwhile is updated so. Call in a
     * transaction.
     */
    JobqRecurringJobRecord upsert(DSLContext tx, RecurringJob job, String payloadJson, Schedule schedule, Instant clockNow) {
        // The columns hold microseconds: the info registerRecurring returns from this row then equals what
        // getRecurring reads back (a clock's nanoseconds made its updatedAt differ from the stored one).
        Instant now = clockNow.truncatedTo(ChronoUnit.MICROS);
        JobOptions options = job.options().resolve(JobOptions.defaults());
        JobqRecurringJobRecord row = lock(tx, job.name()).orElse(null);
        boolean created = row == null;
        Instant nextRunAt;
        if (row == null) {
            row = tx.newRecord(JOBQ_RECURRING_JOB);
            row.setName(job.name());
            row.setCreatedAt(now);
            row.setLastRunAt(null);
            row.setLastError(null);
            nextRunAt = schedule.first(now);
        } else if (row.getSchedule().equals(job.schedule().strip()) && sameClock(row, job.timezone())) {
            nextRunAt = job.enabled() && !row.getEnabled() ? resume(schedule, row.getNextRunAt(), now) : row.getNextRunAt();
        } else {
            nextRunAt = schedule.first(now);
        }
        requireHeld(job.name(), job.schedule().strip(), nextRunAt);
        row.setType(job.type());
        row.setQueue(options.queue());
        row.setPayload(payloadJson);
        row.setOptions(optionsJson.write(options));
        row.setSchedule(job.schedule().strip());
        row.setTimezone(job.timezone().getId());
        row.setEnabled(job.enabled());
        row.setMisfirePolicy(job.misfirePolicy().name());
        row.setNextRunAt(nextRunAt);
        row.setDueAt(nextRunAt);
        row.setAttempts(0);
        row.setUpdatedAt(now);
        if (created && tx.dialect().family() == SQLDialect.POSTGRES) {
            // Another transaction inserted the name meanwhile: on PostgreSQL the key violation aborted the transaction,
            // an application's that the call joined too (a transaction-aware DataSource), and the update that follows
            // it failed with it. ON CONFLICT skips the row instead, and the job is updated as registered before.
            if (tx.insertInto(JOBQ_RECURRING_JOB).set(row).onConflictDoNothing().execute() == 0) {
                return upsert(tx, job, payloadJson, schedule, clockNow);
            }
            return row;
        }
        row.store();
        return row;
    }

    /**
     * Enables or disables; an enabled job continues its grid after {@code now} ({@code schedule} is needed only to
     * enable). Empty when unknown. Call in a transaction.
     */
    Optional<JobqRecurringJobRecord> setEnabled(DSLContext tx, String name, boolean enabled,
                                                @Nullable Schedule schedule, Instant now) {
        Optional<JobqRecurringJobRecord> found = lock(tx, name);
        found.ifPresent(row -> {
            if (enabled && !row.getEnabled()) {
                Instant next = resume(Objects.requireNonNull(schedule, "schedule"), row.getNextRunAt(), now);
                requireHeld(name, row.getSchedule(), next);
                row.setNextRunAt(next);
                row.setDueAt(next);
                row.setAttempts(0);
            }
            row.setEnabled(enabled);
            row.setUpdatedAt(now);
            row.store();
        });
        return found;
    }

    Optional<JobqRecurringJobRecord> find(DSLContext dsl, String name) {
        return dsl.selectFrom(JOBQ_RECURRING_JOB).where(JOBQ_RECURRING_JOB.NAME.eq(name)).fetchOptional();
    }

    boolean delete(DSLContext dsl, String name) {
        return dsl.deleteFrom(JOBQ_RECURRING_JOB).where(JOBQ_RECURRING_JOB.NAME.eq(name)).execute() == 1;
    }

    /**
     * Every job, by name as {@link String#compareTo} orders names (UTF-16 code units): sorted here, not
     * by the database, whose order is its collation's (on PostgreSQL often a language's, which puts
     * {@code alpha} before {@code Alpha} and ignores spaces and punctuation at first), so that H2 and
     * every PostgreSQL list the same names in the same order.
     */
    List<RecurringJobInfo> list(DSLContext dsl) {
        return dsl.selectFrom(JOBQ_RECURRING_JOB).fetch(this::info).stream()
                .sorted(Comparator.comparing(RecurringJobInfo::name))
                .toList();
    }

    /** The earliest due instant of the enabled jobs, those {@code leftOut} matches (when given) left out. */
    Optional<Instant> earliestDue(DSLContext dsl, @Nullable Condition leftOut) {
        Condition enabled = JOBQ_RECURRING_JOB.ENABLED.isTrue();
        return dsl.select(DSL.min(JOBQ_RECURRING_JOB.DUE_AT)).from(JOBQ_RECURRING_JOB)
                .where(leftOut == null ? enabled : enabled.and(leftOut))
                .fetchOptional(0, Instant.class);
    }

    /**
     * Locks up to {@code limit} due enabled jobs no other transaction holds, earliest first, those {@code leftOut}
     * matches (when given) left out. Call in a transaction.
     */
    List<JobqRecurringJobRecord> lockDue(DSLContext tx, Instant now, int limit, @Nullable Condition leftOut) {
        Condition due = JOBQ_RECURRING_JOB.ENABLED.isTrue().and(JOBQ_RECURRING_JOB.DUE_AT.le(now));
        return tx.selectFrom(JOBQ_RECURRING_JOB)
                .where(leftOut == null ? due : due.and(leftOut))
                // The due index's own order (see ScheduledJobs.lockDue; recurring jobs are few).
                .orderBy(JOBQ_RECURRING_JOB.ENABLED, JOBQ_RECURRING_JOB.DUE_AT, JOBQ_RECURRING_JOB.NAME)
                .limit(limit)
                .forUpdate()
                .skipLocked()
                .fetch();
    }

    /** Records occurrences handed on: the schedule continues at {@code nextRunAt}. */
    void advance(JobqRecurringJobRecord row, Instant nextRunAt, @Nullable Instant lastRunAt, Instant now) {
        row.setNextRunAt(nextRunAt);
        row.setFireAllUntil(null);
        row.setDueAt(nextRunAt);
        row.setAttempts(0);
        if (lastRunAt != null) {
            row.setLastRunAt(lastRunAt);
            row.setLastError(null);
        } else if (row.getLastError() != null && row.getLastError().startsWith(ScheduledJobs.PUSHED_UNREAD)) {
            // Pushed on by a process that could not read it, and read here: its occurrences were skipped, not failed.
            row.setLastError(null);
        }
        row.setUpdatedAt(now);
        row.store();
    }

    /**
     * Disables a job whose schedule has run past the instants the scheduler holds, after its last
     * occurrence in range was handed on: the next run stays at that occurrence.
     */
    void disableAtEnd(JobqRecurringJobRecord row, @Nullable Instant lastRunAt, String error, Instant now) {
        row.setEnabled(false);
        row.setAttempts(0);
        if (lastRunAt != null) {
            row.setLastRunAt(lastRunAt);
        }
        row.setLastError(ScheduledJobs.truncate(error));
        row.setUpdatedAt(now);
        row.store();
    }

    /**
     * Pushes on a row this process cannot read to {@code lookAgainAt}, {@code reason} its error: no hand-off was tried,
     * so no try is counted, and its next run stays the occurrence due.
     */
    void pushOnUnreadable(JobqRecurringJobRecord row, String reason, Instant lookAgainAt, Instant now) {
        row.setDueAt(lookAgainAt);
        row.setLastError(ScheduledJobs.truncate(ScheduledJobs.PUSHED_UNREAD + reason));
        row.setUpdatedAt(now);
        row.store();
    }

    /**
     * Records a failed hand-off: occurrence {@code nextRunAt} is tried again at {@code retryAt}, and, within a
     * {@code FIRE_ALL} burst of missed occurrences, the burst ends at {@code fireAllUntil} (else null).
     */
    void retryLater(JobqRecurringJobRecord row, Instant nextRunAt, @Nullable Instant lastRunAt, String error,
                    Instant retryAt, Instant now, @Nullable Instant fireAllUntil) {
        row.setNextRunAt(nextRunAt);
        row.setFireAllUntil(fireAllUntil);
        row.setDueAt(retryAt);
        row.setAttempts(row.getAttempts() + 1);
        if (lastRunAt != null) {
            row.setLastRunAt(lastRunAt);
        }
        row.setLastError(ScheduledJobs.truncate(error));
        row.setUpdatedAt(now);
        row.store();
    }

    JobEnvelope envelope(JobqRecurringJobRecord row, Instant occurrence, Instant now) {
        JobOptions options = options(row);
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, OccurrenceIds.of(row.getName(), occurrence), row.getType(),
                row.getPayload(), options, 0, now, occurrence, null);
    }

    /**
     * The row as the API shows it. One whose zone, misfire policy or options this runtime cannot read (see {@link
     * #zone}, {@link #misfirePolicy} and {@link #options}) is shown too, without them and with why: it threw, and with
     * it every listing of recurring jobs, hiding the others. So is one whose schedule this version cannot read (a
     * form a newer version added, or the row changed by hand): no firing scheduler here fires it, and since the row
     * is left as it is for processes that can read it, its last error does not say why.
     */
    RecurringJobInfo info(JobqRecurringJobRecord row) {
        List<String> problems = new ArrayList<>(2);
        @Nullable ZoneId zone = null;
        try {
            zone = zone(row);
        } catch (JobQueueException unreadable) {
            problems.add(unreadable.getMessage());
        }
        @Nullable MisfirePolicy misfirePolicy = null;
        try {
            misfirePolicy = misfirePolicy(row);
        } catch (JobQueueException unreadable) {
            problems.add(unreadable.getMessage());
        }
        try {
            parser.parse(row.getName(), row.getSchedule(), zone != null ? zone : ZoneOffset.UTC);
        } catch (RuntimeException unreadable) {
            problems.add(unreadable.getMessage());
        }
        try {
            options(row);
        } catch (JobQueueException unreadable) {
            problems.add(unreadable.getMessage());
        }
        return new RecurringJobInfo(row.getName(), row.getType(), row.getSchedule(), zone,
                row.getEnabled(), misfirePolicy,
                row.getEnabled() ? row.getNextRunAt() : null, row.getLastRunAt(), row.getLastError(),
                row.getCreatedAt(), row.getUpdatedAt(), row.getTimezone(),
                problems.isEmpty() ? null : String.join("; ", problems), row.getQueue());
    }

    /**
     * The job {@code name} as a refusal or a log line names it: quoted, its control characters escaped (a newline in it
     * started a line of its own in the message and the log), one longer than the table holds cut with its length.
     */
    static String named(String name) {
        return "recurring job " + shown(name);
    }

    /** {@code name} as {@link #named} shows it, quoted, for a message that says "recurring job" itself. */
    static String shown(String name) {
        return UntrustedText.singleQuote(name, JdbcJobScheduler.MAX_TEXT);
    }

    /**
     * The options a row holds. Ones this version of jobq cannot read (a value a newer version allows, written by it
     * sharing the database, or a row changed by hand) are an error naming the job, the options and the fix.
     */
    JobOptions options(JobqRecurringJobRecord row) {
        try {
            return optionsJson.read(row.getOptions(), () -> named(row.getName()));
        } catch (IllegalStateException e) {
            throw new JobQueueException(e.getMessage() + "; this version of jobq cannot read them: a newer version "
                    + "registered the job, or the row was changed by hand; run this process on that version, or "
                    + "register the job again (jobq recurring disable and delete still work)", e);
        }
    }

    /**
     * The misfire policy a row names. One this version of jobq does not know (a newer version, sharing the database,
     * registered the job with a policy it added; or the row was changed by hand) is an error naming the job, the
     * policy and the fix, rather than "No enum constant".
     */
    static MisfirePolicy misfirePolicy(JobqRecurringJobRecord row) {
        try {
            return MisfirePolicy.valueOf(row.getMisfirePolicy());
        } catch (IllegalArgumentException unknown) {
            // the column escaped, as the name is: changed by hand, a newline in it forged a line of the WARN; and
            // without valueOf's exception as the cause, whose message ("No enum constant …") repeats it raw
            throw new JobQueueException(named(row.getName()) + ": misfire policy "
                    + UntrustedText.singleQuote(row.getMisfirePolicy(), JdbcJobScheduler.MAX_TEXT) + " is unknown to "
                    + "this version of jobq, which knows " + Arrays.toString(MisfirePolicy.values()) + ": a newer "
                    + "version registered the job, or the row was changed by hand; run this process on that version, "
                    + "or register the job again with one of these (jobq recurring disable and delete still work)");
        }
    }

    /**
     * Whether the row's zone reads the wall clock as {@code zone} does, whatever either is called: UTC,
     * the default Z, GMT and Etc/UTC are one zone, so are US/Eastern and America/New_York. A zone this
     * runtime does not know counts as another.
     */
    private static boolean sameClock(JobqRecurringJobRecord row, ZoneId zone) {
        try {
            return ZoneId.of(row.getTimezone()).getRules().equals(zone.getRules());
        } catch (DateTimeException unknownHere) {
            return false;
        }
    }

    /**
     * The zone a row names. One this Java runtime does not know (its time-zone data older than that of
     * the process that registered the job, which had a newer zone), or text that is no zone id (a row written by
     * hand), is an error naming the job, the zone and the fix, rather than java.time's bare "Unknown time-zone ID".
     */
    static ZoneId zone(JobqRecurringJobRecord row) {
        String still = " (jobq recurring disable and delete still work)";
        try {
            return ZoneId.of(row.getTimezone());
        } catch (ZoneRulesException e) {
            // java.time's reason repeats the zone too, raw: said escaped, and its exception not chained as the cause,
            // here and below, as a log line with this refusal's stack trace showed it so after "Caused by:"
            throw new JobQueueException(namedZone(row) + " is unknown to this Java runtime ("
                    + UntrustedText.escape(e.getMessage()) + "): its time-zone data is older than that of the process "
                    + "that registered the job; update this Java runtime or its time-zone data (tzupdater), or "
                    + "register the job again with a zone both know" + still);
        } catch (DateTimeException e) {
            throw new JobQueueException(namedZone(row) + " is not a time-zone id ("
                    + UntrustedText.escape(e.getMessage()) + "): jobq writes none such, the row was changed by hand; "
                    + "register the job again with a zone id such as 'America/New_York' or 'UTC'" + still);
        }
    }

    /** The job and the zone of {@code row}, as the refusal of its zone names them. */
    private static String namedZone(JobqRecurringJobRecord row) {
        // the column escaped, as the name is: changed by hand, a newline in it forged a line of the WARN
        return named(row.getName()) + ": timezone "
                + UntrustedText.singleQuote(row.getTimezone(), JdbcJobScheduler.MAX_TEXT);
    }

    private static Optional<JobqRecurringJobRecord> lock(DSLContext tx, String name) {
        return tx.selectFrom(JOBQ_RECURRING_JOB).where(JOBQ_RECURRING_JOB.NAME.eq(name)).forUpdate().fetchOptional();
    }

    private static void requireHeld(String name, String schedule, Instant nextRunAt) {
        if (!DueRange.holds(nextRunAt)) {
            // the schedule escaped as ScheduleParser's refusals show it: "every 1\rday" reads, its \r repeated raw
            throw new IllegalArgumentException(named(name) + ": its next run would be " + nextRunAt + ", "
                    + DueRange.beyond(nextRunAt) + "; check the schedule "
                    + UntrustedText.singleQuote(schedule, JdbcJobScheduler.MAX_TEXT) + " and the clock");
        }
    }

    /** The grid's first occurrence after {@code now}, or {@code nextRunAt} if that is still ahead. */
    private static Instant resume(Schedule schedule, Instant nextRunAt, Instant now) {
        return nextRunAt.isAfter(now) ? nextRunAt : schedule.nextAfter(nextRunAt, now);
    }
}
