package dev.jobq.scheduler.jdbc;

import static dev.jobq.scheduler.jdbc.schema.tables.JobqScheduledJob.JOBQ_SCHEDULED_JOB;
import static dev.jobq.scheduler.jdbc.schema.tables.JobqScheduledJobDone.JOBQ_SCHEDULED_JOB_DONE;

import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.JobState;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.scheduler.jdbc.schema.tables.records.JobqScheduledJobRecord;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;
import org.jspecify.annotations.Nullable;

/**
 * The {@code jobq_scheduled_job} table: one-time jobs. A row is {@code SCHEDULED} until a scheduler
 * hands it on, which deletes it and records its id and the instant in {@code jobq_scheduled_job_done}
 * (schema version 4), or it is cancelled ({@code CANCELLED}); records and cancelled rows are purged
 * after the retention period. While scheduled, a job with a deduplication key holds its queue and
 * key in a unique column, so a second job with the same key returns the first one's id.
 */
final class ScheduledJobs {

    static final String SCHEDULED = ScheduledJobInfo.Status.SCHEDULED.name();
    static final String ENQUEUED = ScheduledJobInfo.Status.ENQUEUED.name();
    static final String CANCELLED = ScheduledJobInfo.Status.CANCELLED.name();
    static final int ERROR_LENGTH = 2000;
    /** How the error of a row pushed on by a scheduler that cannot read it ({@link #markUnreadable}) begins. */
    static final String PUSHED_UNREAD = "cannot be read: ";
    private static final int PURGE_CHUNK = 1000;

    private final OptionsJson optionsJson = new OptionsJson();

    /**
     * Stores a job due at {@code at}; returns its id, or the id of a scheduled job with the same deduplication key.
     * Call in a transaction: a job handed on while it is stored again (a retried call) is taken back out before it
     * commits.
     */
    String insert(DSLContext dsl, JobEnvelope envelope, Instant at, Instant now) {
        String key = envelope.options().deduplicationKey();
        String pendingKey = key == null ? null : pendingKey(envelope.queue(), key);
        // The columns hold microseconds: round up, so that a job is never handed on before its instant.
        Instant due = at.truncatedTo(ChronoUnit.MICROS);
        if (due.isBefore(at)) {
            due = due.plus(1, ChronoUnit.MICROS);
        }
        if (dsl.fetchExists(JOBQ_SCHEDULED_JOB_DONE, JOBQ_SCHEDULED_JOB_DONE.ID.eq(envelope.jobId()))) {
            // Stored and handed on before: a retried call.
            return envelope.jobId();
        }
        for (int attempt = 0; ; attempt++) {
            if (pendingKey != null) {
                Optional<String> existing = dsl.select(JOBQ_SCHEDULED_JOB.ID).from(JOBQ_SCHEDULED_JOB)
                        .where(JOBQ_SCHEDULED_JOB.PENDING_KEY.eq(pendingKey)).fetchOptional(JOBQ_SCHEDULED_JOB.ID);
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            var insert = dsl.insertInto(JOBQ_SCHEDULED_JOB)
                    .set(JOBQ_SCHEDULED_JOB.ID, envelope.jobId())
                    .set(JOBQ_SCHEDULED_JOB.TYPE, envelope.type())
                    .set(JOBQ_SCHEDULED_JOB.QUEUE, envelope.queue())
                    .set(JOBQ_SCHEDULED_JOB.PAYLOAD, envelope.payloadJson())
                    .set(JOBQ_SCHEDULED_JOB.OPTIONS, optionsJson.write(envelope.options()))
                    .set(JOBQ_SCHEDULED_JOB.TRACE_ID, envelope.traceId())
                    .set(JOBQ_SCHEDULED_JOB.PENDING_KEY, pendingKey)
                    .set(JOBQ_SCHEDULED_JOB.SCHEDULED_FOR, due)
                    .set(JOBQ_SCHEDULED_JOB.DUE_AT, due)
                    .set(JOBQ_SCHEDULED_JOB.STATUS, SCHEDULED)
                    .set(JOBQ_SCHEDULED_JOB.ATTEMPTS, 0)
                    .set(JOBQ_SCHEDULED_JOB.CREATED_AT, envelope.createdAt())
                    .set(JOBQ_SCHEDULED_JOB.UPDATED_AT, now);
            IntegrityConstraintViolationException conflict = null;
            try {
                // On PostgreSQL a key violation aborts the transaction, and with it an application's transaction that
                // the call joined (a transaction-aware DataSource): the look below for the job holding the id or the
                // key then failed, and the application's transaction with it. ON CONFLICT skips the row instead.
                int inserted = dsl.dialect().family() == SQLDialect.POSTGRES ? insert.onConflictDoNothing().execute()
                        : insert.execute();
                if (inserted == 1) {
                    if (dsl.fetchExists(JOBQ_SCHEDULED_JOB_DONE, JOBQ_SCHEDULED_JOB_DONE.ID.eq(envelope.jobId()))) {
                        // A retried call, its job handed on after the look above: the hand-off deleted the row this
                        // insert would have met. Stored again, it was handed on a second time under the same id.
                        dsl.deleteFrom(JOBQ_SCHEDULED_JOB).where(JOBQ_SCHEDULED_JOB.ID.eq(envelope.jobId())).execute();
                    }
                    return envelope.jobId();
                }
            } catch (IntegrityConstraintViolationException e) {
                conflict = e;
            }
            // The same id stored before (a retried call), or another job took the key meanwhile.
            boolean sameId = dsl.fetchExists(JOBQ_SCHEDULED_JOB, JOBQ_SCHEDULED_JOB.ID.eq(envelope.jobId()));
            if (sameId) {
                return envelope.jobId();
            }
            if (pendingKey == null || attempt > 0) {
                throw conflict != null ? conflict : new DataAccessException("job " + envelope.jobId() + " met a job "
                        + "stored meanwhile with its id or its deduplication key, gone again when looked for (handed on "
                        + "or cancelled); schedule it again");
            }
        }
    }

    /** The id of the scheduled job holding this queue's deduplication key, if any. */
    Optional<String> holding(DSLContext dsl, String queue, String deduplicationKey) {
        return dsl.select(JOBQ_SCHEDULED_JOB.ID).from(JOBQ_SCHEDULED_JOB)
                .where(JOBQ_SCHEDULED_JOB.PENDING_KEY.eq(pendingKey(queue, deduplicationKey)))
                .fetchOptional(JOBQ_SCHEDULED_JOB.ID);
    }

    boolean cancel(DSLContext dsl, String id, Instant now) {
        return dsl.update(JOBQ_SCHEDULED_JOB)
                .set(JOBQ_SCHEDULED_JOB.STATUS, CANCELLED)
                .setNull(JOBQ_SCHEDULED_JOB.PENDING_KEY)
                .set(JOBQ_SCHEDULED_JOB.UPDATED_AT, now)
                .where(JOBQ_SCHEDULED_JOB.ID.eq(id).and(JOBQ_SCHEDULED_JOB.STATUS.eq(SCHEDULED)))
                .execute() == 1;
    }

    /** A row's status; a job handed on has no row, only its record. */
    Optional<ScheduledJobInfo.Status> status(DSLContext dsl, String id) {
        Optional<ScheduledJobInfo.Status> row = dsl.select(JOBQ_SCHEDULED_JOB.STATUS).from(JOBQ_SCHEDULED_JOB)
                .where(JOBQ_SCHEDULED_JOB.ID.eq(id))
                .fetchOptional(JOBQ_SCHEDULED_JOB.STATUS)
                .map(ScheduledJobInfo.Status::valueOf);
        if (row.isPresent()) {
            return row;
        }
        return dsl.fetchExists(JOBQ_SCHEDULED_JOB_DONE, JOBQ_SCHEDULED_JOB_DONE.ID.eq(id))
                ? Optional.of(ScheduledJobInfo.Status.ENQUEUED) : Optional.empty();
    }

    /**
     * The job of a row still scheduled, as getJob reports it: waiting for its instant. One whose options this version
     * cannot read (a newer jobq's, or a row changed by hand) is there all the same, as listScheduled shows it, and a
     * process that can read it hands it on: it is returned with the default options on its queue and the reason, with
     * the way out, as its error (as a recurring job this runtime cannot read is, with its problem), not thrown.
     * {@code now} tells a push on by a scheduler that could not read it still to come from one gone by.
     */
    Optional<JobInfo> held(DSLContext dsl, String id, Instant now) {
        return dsl.selectFrom(JOBQ_SCHEDULED_JOB)
                .where(JOBQ_SCHEDULED_JOB.ID.eq(id).and(JOBQ_SCHEDULED_JOB.STATUS.eq(SCHEDULED)))
                .fetchOptional()
                .map(row -> {
                    JobEnvelope envelope;
                    try {
                        envelope = envelope(row);
                    } catch (IllegalStateException unreadable) {
                        return new JobInfo(row.getId(), row.getType(), row.getQueue(), JobState.DELAYED, 0,
                                optionsOnQueue(row.getQueue()), row.getPayload(), row.getCreatedAt(),
                                row.getUpdatedAt(), unreadable(row, unreadable) + ", and its options shown are the "
                                        + "defaults");
                    }
                    return new JobInfo(row.getId(), row.getType(), row.getQueue(), JobState.DELAYED, envelope.attempt(),
                            envelope.options(), row.getPayload(), row.getCreatedAt(), row.getUpdatedAt(),
                            readableError(row, now));
                });
    }

    /**
     * Why this process does not hand on the job of {@code row}, whose options it cannot read ({@code e}), and the way
     * out: its schedulers leave the row as it is, its error empty, for processes that can read it.
     */
    private static String unreadable(JobqScheduledJobRecord row, IllegalStateException e) {
        return e.getMessage() + "; it cannot be read by this version of jobq, whose schedulers leave it to those that "
                + "can (a newer jobq sharing the database), or, past " + UnreadableScheduledJobs.MAX_LEFT_ALONE
                + " such jobs, push it on by " + DurationFormat.format(HandOff.MAX_RETRY) + " at a time; where no "
                + "process can read it, cancel it with jobq schedule cancel " + UntrustedText.shellArgument(row.getId())
                + " (Scheduler.cancel)";
    }

    /**
     * The error of a row this process can read. One a scheduler that could not read it pushed on ({@link
     * #markUnreadable}) said "cannot be read" until it was handed on, up to 5 minutes after it could be: it says when
     * it is handed on instead: when it is handed on while that is to come ({@code now} before it); once it has come,
     * that it has been due since, for the next scheduler that can read it (none may have run since: "when it is handed
     * on" named a time gone by at which nothing was).
     */
    private static @Nullable String readableError(JobqScheduledJobRecord row, Instant now) {
        String error = row.getError();
        if (error == null || !error.startsWith(PUSHED_UNREAD)) {
            return error;
        }
        if (now.isBefore(row.getDueAt())) {
            return "a scheduler that could not read its options pushed it on to " + row.getDueAt() + ", when it is "
                    + "handed on; this process can read them";
        }
        return "a scheduler that could not read its options pushed it on to " + row.getDueAt() + "; it has been due "
                + "since, and the next scheduler that can read them (this process can) hands it on";
    }

    /** The default options on {@code queue}; the defaults alone when the column holds no queue name (changed by hand). */
    private static JobOptions optionsOnQueue(String queue) {
        JobOptions defaults = JobOptions.defaults();
        if (queue == null || queue.isBlank() || queue.equals(defaults.queue())) {
            return defaults;
        }
        return new JobOptions(defaults.maxAttempts(), defaults.timeout(), defaults.priority(), null, queue);
    }

    List<ScheduledJobInfo> listScheduled(DSLContext dsl, int limit, Instant now) {
        return dsl.selectFrom(JOBQ_SCHEDULED_JOB)
                .where(JOBQ_SCHEDULED_JOB.STATUS.eq(DSL.inline(SCHEDULED)))
                .orderBy(JOBQ_SCHEDULED_JOB.SCHEDULED_FOR, JOBQ_SCHEDULED_JOB.ID)
                .limit(limit)
                .fetch(row -> info(row, now));
    }

    /**
     * The earliest time a scheduled row is due, locked or not, those of the queues {@code leftOut} and those with the
     * ids {@code idsLeftOut} left out. The status is a literal, so that the database can use its due index, which on
     * PostgreSQL holds scheduled rows only.
     */
    Optional<Instant> earliestDue(DSLContext dsl, List<String> leftOut, List<String> idsLeftOut) {
        Condition scheduled = JOBQ_SCHEDULED_JOB.STATUS.eq(DSL.inline(SCHEDULED));
        Condition which = leftOut.isEmpty() ? scheduled : scheduled.and(JOBQ_SCHEDULED_JOB.QUEUE.notIn(leftOut));
        if (!idsLeftOut.isEmpty()) {
            which = which.andNot(JOBQ_SCHEDULED_JOB.ID.eq(DSL.any(idsLeftOut.toArray(new String[0]))));
        }
        return dsl.select(DSL.min(JOBQ_SCHEDULED_JOB.DUE_AT)).from(JOBQ_SCHEDULED_JOB)
                .where(which)
                .fetchOptional(0, Instant.class);
    }

    /**
     * Locks up to {@code limit} due rows no other transaction holds, earliest first. Call in a
     * transaction. The order is the due index's own (status is fixed by the WHERE), so the database
     * reads the batch it takes, not every due row; on H2, which would lock every due row it reads,
     * in two steps (see {@link ClaimStatements}). The rows carry the columns a hand-off reads.
     */
    List<JobqScheduledJobRecord> lockDue(DSLContext tx, Instant now, int limit) {
        return lockDue(tx, now, null, List.of(), List.of(), limit);
    }

    /**
     * As {@link #lockDue(DSLContext, Instant, int)}, the rows after {@code after} in the due index when given, those
     * of the queues {@code leftOut} (this process does not have them) and those with the ids {@code idsLeftOut} (it
     * cannot read them) left out.
     */
    List<JobqScheduledJobRecord> lockDue(DSLContext tx, Instant now, @Nullable DuePlace after, List<String> leftOut,
            List<String> idsLeftOut, int limit) {
        if (tx.dialect().family() == SQLDialect.H2) {
            return tx.connectionResult(connection -> ClaimStatements.lockDueInTwoSteps(connection, now, after, leftOut,
                    idsLeftOut, limit));
        }
        return tx.connectionResult(connection -> ClaimStatements.lockDue(connection, now, after, leftOut, idsLeftOut,
                limit));
    }

    void markHandedOn(DSLContext tx, Collection<String> ids, Instant now) {
        if (ids.isEmpty()) {
            return;
        }
        boolean postgres = tx.dialect().family() == SQLDialect.POSTGRES;
        tx.connection(connection -> ClaimStatements.markHandedOn(connection, ids, now, postgres));
    }

    /** The queue column of row {@code id}, null when there is no such row; the claim does not read it. */
    @Nullable String queue(DSLContext tx, String id) {
        return tx.select(JOBQ_SCHEDULED_JOB.QUEUE).from(JOBQ_SCHEDULED_JOB).where(JOBQ_SCHEDULED_JOB.ID.eq(id))
                .fetchOptional(JOBQ_SCHEDULED_JOB.QUEUE).orElse(null);
    }

    /** Keeps a row whose hand-off failed, to be tried again at {@code retryAt}. */
    void markFailed(DSLContext tx, JobqScheduledJobRecord row, String error, Instant retryAt, Instant now) {
        tx.update(JOBQ_SCHEDULED_JOB)
                .set(JOBQ_SCHEDULED_JOB.ATTEMPTS, row.getAttempts() + 1)
                .set(JOBQ_SCHEDULED_JOB.DUE_AT, retryAt)
                .set(JOBQ_SCHEDULED_JOB.ERROR, truncate(error))
                .set(JOBQ_SCHEDULED_JOB.UPDATED_AT, now)
                .where(JOBQ_SCHEDULED_JOB.ID.eq(row.getId()))
                .execute();
    }

    /**
     * Pushes on a row this process cannot read to {@code lookAgainAt}, {@code reason} its error: no hand-off was tried,
     * so no try is counted (each push counted one, and the first failed hand-off once it could be read waited up to 5
     * minutes, not 1 s).
     */
    void markUnreadable(DSLContext tx, JobqScheduledJobRecord row, String reason, Instant lookAgainAt, Instant now) {
        tx.update(JOBQ_SCHEDULED_JOB)
                .set(JOBQ_SCHEDULED_JOB.DUE_AT, lookAgainAt)
                .set(JOBQ_SCHEDULED_JOB.ERROR, truncate(PUSHED_UNREAD + reason))
                .set(JOBQ_SCHEDULED_JOB.UPDATED_AT, now)
                .where(JOBQ_SCHEDULED_JOB.ID.eq(row.getId()))
                .execute();
    }

    /**
     * Deletes the records of jobs handed on before {@code cutoff}, and cancelled rows (and enqueued
     * ones, which only a scheduler older than schema version 4 leaves) last changed before it, in
     * chunks; returns how many.
     */
    int purge(Database db, Instant cutoff) {
        Condition old = JOBQ_SCHEDULED_JOB_DONE.HANDED_ON_AT.lt(cutoff);
        Condition finished = JOBQ_SCHEDULED_JOB.STATUS.in(ENQUEUED, CANCELLED);
        return deleteInChunks(db, JOBQ_SCHEDULED_JOB_DONE, JOBQ_SCHEDULED_JOB_DONE.ID, old, DSL.noCondition())
                + deleteInChunks(db, JOBQ_SCHEDULED_JOB, JOBQ_SCHEDULED_JOB.ID,
                        finished.and(JOBQ_SCHEDULED_JOB.UPDATED_AT.lt(cutoff)), finished);
    }

    /**
     * Deletes the rows of {@code table} that meet {@code which}, {@value #PURGE_CHUNK} at a time, by
     * id, each delete re-checking {@code stillDeletable}; returns how many. A sub-select with a limit,
     * since neither database takes DELETE … LIMIT the same way. Each chunk waits for a lock at most
     * {@code lockTimeout} ({@link Database#bounded}).
     */
    private static int deleteInChunks(Database db, Table<?> table, Field<String> id, Condition which,
            Condition stillDeletable) {
        int total = 0;
        while (true) {
            int[] readAndDeleted = db.bounded(dsl -> {
                List<String> ids = dsl.select(id).from(table).where(which).limit(PURGE_CHUNK).fetch(id);
                if (ids.isEmpty()) {
                    return new int[] {0, 0};
                }
                return new int[] {ids.size(), dsl.deleteFrom(table).where(id.in(ids).and(stillDeletable)).execute()};
            });
            total += readAndDeleted[1];
            if (readAndDeleted[0] < PURGE_CHUNK) {
                return total;
            }
        }
    }

    JobEnvelope envelope(JobqScheduledJobRecord row) {
        JobOptions options = optionsJson.read(row.getOptions(),
                () -> "scheduled job " + JdbcJobScheduler.shownId(row.getId()));
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, row.getId(), row.getType(), row.getPayload(), options, 0,
                row.getCreatedAt(), row.getScheduledFor(), row.getTraceId());
    }

    /**
     * A listed row. One whose options this process cannot read has the reason as its error: its schedulers leave the
     * row as it is, its error empty, and nothing else listed said why a job long due was not handed on.
     */
    private ScheduledJobInfo info(JobqScheduledJobRecord row, Instant now) {
        String error;
        try {
            optionsJson.read(row.getOptions(), () -> "scheduled job " + JdbcJobScheduler.shownId(row.getId()));
            error = readableError(row, now);
        } catch (IllegalStateException e) {
            error = unreadable(row, e);
        }
        return new ScheduledJobInfo(row.getId(), row.getType(), row.getQueue(), row.getScheduledFor(),
                ScheduledJobInfo.Status.valueOf(row.getStatus()), row.getCreatedAt(), row.getUpdatedAt(), error);
    }

    /**
     * An error as its column holds it: at most {@value #ERROR_LENGTH} characters, and a NUL character (a provider's
     * message quoting bytes it was given) as U+FFFD. PostgreSQL's text cannot hold a NUL: the failed hand-off's mark
     * failed, and with it the batch's transaction, at every pass, the other jobs of the batch held behind it. A longer
     * text is cut, never inside an emoji nor an escape ({@link UntrustedText#wholeEnd}: a provider's message is escaped
     * before it is stored), and says how many of its characters it leaves out, as a WARN's text does:
     * {@code aaaa… (26 more characters)}. A failure's text is made with {@link #errorOf} instead.
     */
    static @Nullable String truncate(@Nullable String text) {
        if (text == null) {
            return null;
        }
        String held = text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
        if (held.length() <= ERROR_LENGTH) {
            return held;
        }
        int end = UntrustedText.wholeEnd(held, ERROR_LENGTH - leftOut(held.length()).length());
        return held.substring(0, end) + leftOut(held.length() - end);
    }

    /**
     * A failure's text ({@code raw}: its class's name and message, as they are) as the error column holds it:
     * escaped, as the WARN about it writes it ({@link LoggableThrowables#oneLine}), and, when that is longer than the
     * column, cut to the column rather than to the WARN's {@value LoggableThrowables#MAX_MESSAGE_CHARS} (more of a plain
     * message than the WARN keeps, less of one that escapes lengthen), saying how many characters it leaves out as the
     * WARN does, counted as the WARN counts them (the message's own, an escaped one as one):
     * {@code aaaa… (1175 more characters)}. Cut by the column alone, a message the WARN had cut lost the WARN's count,
     * and one made of control characters (six each once escaped) ended inside an escape. Never between the two halves
     * of an emoji. The secrets of its URLs are masked first ({@link Secrets#maskUrl}), a text that fits as well as one
     * that is cut: the row is kept, and read by listScheduled, getRecurring and whoever reads the table, none of which
     * mask it (a short one was stored with its password); and cut first, a URL the cut went through lost the '@' after
     * its password, and the mask of {@code jobq schedule} found none and showed its first characters.
     */
    static String errorOf(String raw) {
        String text = Secrets.maskUrl(raw);
        String whole = whole(text);
        if (whole != null) {
            return whole;
        }
        int room = ERROR_LENGTH - leftOut(text.length()).length();
        int kept = 0;
        for (int width = 0; kept < text.length(); kept++) {
            width += UntrustedText.escape(String.valueOf(text.charAt(kept))).length();
            if (width > room) {
                break;
            }
        }
        if (kept > 0 && Character.isHighSurrogate(text.charAt(kept - 1))) {
            kept--; // never between the two halves of an emoji
        }
        return UntrustedText.escape(text.substring(0, kept)) + leftOut(text.length() - kept);
    }

    /** {@code text} escaped, when that fits the column; else null. */
    private static @Nullable String whole(String text) {
        if (text.length() > ERROR_LENGTH) {
            return null;
        }
        String escaped = UntrustedText.escape(text);
        return escaped.length() <= ERROR_LENGTH ? escaped : null;
    }

    /** How a cut text ends: as a WARN's does ({@link LoggableThrowables#oneLine}). */
    private static String leftOut(int characters) {
        return "… (" + characters + " more characters)";
    }

    /** A fixed-length stand-in for (queue, deduplication key), unique while the job is scheduled. */
    static String pendingKey(String queue, String deduplicationKey) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha256.digest((queue + '\u0000' + deduplicationKey)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
