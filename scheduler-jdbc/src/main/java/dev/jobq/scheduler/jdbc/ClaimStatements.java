package dev.jobq.scheduler.jdbc;

import static dev.jobq.scheduler.jdbc.schema.tables.JobqScheduledJob.JOBQ_SCHEDULED_JOB;
import static dev.jobq.scheduler.jdbc.schema.tables.JobqScheduledJobDone.JOBQ_SCHEDULED_JOB_DONE;

import dev.jobq.scheduler.jdbc.schema.tables.records.JobqScheduledJobRecord;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jooq.Field;
import org.jspecify.annotations.Nullable;

/**
 * The statements the firing thread runs for every batch of one-time jobs, the claim and the mark
 * (delete the handed-on rows, record their ids), as fixed SQL run with plain JDBC on the
 * transaction's connection (the table's and columns' names come from the generated jOOQ classes).
 * Built through jOOQ's DSL, each batch rendered them anew, set up an execute context and mapped
 * every row through a record cursor: a profile of B6 on durable PostgreSQL put two thirds of the
 * firing thread's CPU there (docs/benchmarks.md).
 *
 * <p>PostgreSQL locks only the rows its {@code LIMIT} lets through. H2 locks every row its scan
 * meets that passes the WHERE, before ORDER BY and LIMIT (and re-checks the WHERE on the row it
 * locked): one claim of 100 read, sorted and locked every due row, so draining n due rows cost n²/100
 * row reads and one scheduler held every due row, leaving none for another. On H2 the claim is
 * therefore two statements ({@link #lockDueInTwoSteps}).
 */
final class ClaimStatements {

    /** The columns a hand-off reads, in the order {@link #lockDue} reads them. */
    private static final List<Field<?>> CLAIMED = List.of(JOBQ_SCHEDULED_JOB.ID, JOBQ_SCHEDULED_JOB.TYPE,
            JOBQ_SCHEDULED_JOB.PAYLOAD, JOBQ_SCHEDULED_JOB.OPTIONS, JOBQ_SCHEDULED_JOB.TRACE_ID,
            JOBQ_SCHEDULED_JOB.SCHEDULED_FOR, JOBQ_SCHEDULED_JOB.DUE_AT, JOBQ_SCHEDULED_JOB.ATTEMPTS,
            JOBQ_SCHEDULED_JOB.CREATED_AT, JOBQ_SCHEDULED_JOB.ERROR);

    /**
     * Claims in the due index's own order (status is fixed by the WHERE), so the database reads the
     * batch it takes. Plain SQL that H2 and PostgreSQL both take, with the generated names.
     */
    private static final String CLAIM_WHERE = "SELECT " + names(CLAIMED) + " FROM " + JOBQ_SCHEDULED_JOB.getName()
            + " WHERE " + name(JOBQ_SCHEDULED_JOB.STATUS) + " = '" + ScheduledJobs.SCHEDULED + "' AND "
            + name(JOBQ_SCHEDULED_JOB.DUE_AT) + " <= ?";

    private static final String CLAIM_ORDER = " ORDER BY "
            + names(List.of(JOBQ_SCHEDULED_JOB.STATUS, JOBQ_SCHEDULED_JOB.DUE_AT, JOBQ_SCHEDULED_JOB.ID))
            + " LIMIT ? FOR UPDATE SKIP LOCKED";

    private static final String CLAIM = CLAIM_WHERE + CLAIM_ORDER;

    /** A row's place in the due index, after which a claim starts: the index is read from there on. */
    private static final String AFTER_PLACE = " AND (" + name(JOBQ_SCHEDULED_JOB.DUE_AT) + ", "
            + name(JOBQ_SCHEDULED_JOB.ID) + ") > (CAST(? AS TIMESTAMP WITH TIME ZONE), ?)";

    /**
     * As {@link #CLAIM}, starting after a place in the due index: the scan does not step again over
     * the entries of rows handed on before it, which PostgreSQL keeps in the index until a vacuum
     * removes them (docs/benchmarks.md, Phase 13).
     */
    private static final String CLAIM_AFTER = CLAIM_WHERE + AFTER_PLACE + CLAIM_ORDER;

    /**
     * The queues this process does not have ({@link UnservedQueues}), left out of its claims for the processes that
     * have them; one array parameter. Only while there are such queues: the other claims are the statements above.
     */
    private static final String QUEUES_LEFT_OUT = " AND NOT (" + name(JOBQ_SCHEDULED_JOB.QUEUE) + " = ANY(?))";

    private static final String CLAIM_LEAVING_QUEUES = CLAIM_WHERE + QUEUES_LEFT_OUT + CLAIM_ORDER;

    private static final String CLAIM_AFTER_LEAVING_QUEUES = CLAIM_WHERE + AFTER_PLACE + QUEUES_LEFT_OUT + CLAIM_ORDER;

    /**
     * The one-time jobs this process cannot read ({@link UnreadableScheduledJobs}), left out of its claims for the
     * processes that can; one array parameter. Only while there are such jobs, a claim built for it then.
     */
    private static final String IDS_LEFT_OUT = " AND NOT (" + name(JOBQ_SCHEDULED_JOB.ID) + " = ANY(?))";

    /**
     * The claim's first step on H2: the ids and due times of the first due rows, read in the due
     * index without locks; {@link #CANDIDATES_AFTER} goes on past rows another scheduler holds.
     */
    private static final String CANDIDATES = "SELECT " + name(JOBQ_SCHEDULED_JOB.ID) + ", "
            + name(JOBQ_SCHEDULED_JOB.DUE_AT) + " FROM " + JOBQ_SCHEDULED_JOB.getName()
            + " WHERE " + name(JOBQ_SCHEDULED_JOB.STATUS) + " = '" + ScheduledJobs.SCHEDULED + "' AND "
            + name(JOBQ_SCHEDULED_JOB.DUE_AT) + " <= ?";

    private static final String IN_DUE_ORDER = " ORDER BY "
            + names(List.of(JOBQ_SCHEDULED_JOB.STATUS, JOBQ_SCHEDULED_JOB.DUE_AT, JOBQ_SCHEDULED_JOB.ID)) + " LIMIT ?";

    private static final String CANDIDATES_AFTER = CANDIDATES + AFTER_PLACE + IN_DUE_ORDER;

    private static final String CANDIDATES_LEAVING_QUEUES = CANDIDATES + QUEUES_LEFT_OUT + IN_DUE_ORDER;

    private static final String CANDIDATES_AFTER_LEAVING_QUEUES = CANDIDATES + AFTER_PLACE + QUEUES_LEFT_OUT
            + IN_DUE_ORDER;

    /**
     * The claim's second step on H2: locks those rows by primary key, skipping what another
     * transaction holds, and reads their current values. The WHERE names the id alone, so that H2
     * scans the primary key (a status or due_at condition here led it back to the due index and
     * every due row); status and due time are checked on the locked values instead.
     */
    private static final String LOCK_CANDIDATES = "SELECT " + names(CLAIMED) + ", " + name(JOBQ_SCHEDULED_JOB.STATUS)
            + " FROM " + JOBQ_SCHEDULED_JOB.getName()
            + " WHERE " + name(JOBQ_SCHEDULED_JOB.ID) + " = ANY(?) FOR UPDATE SKIP LOCKED";

    /**
     * The mark, first half: the handed-on rows leave the table (schema version 4). One array
     * parameter: an IN list would be a new statement for every batch size.
     */
    private static final String REMOVE_HANDED_ON = "DELETE FROM " + JOBQ_SCHEDULED_JOB.getName()
            + " WHERE " + name(JOBQ_SCHEDULED_JOB.ID) + " = ANY(?)";

    /**
     * The mark, second half: their ids and the instant, for a retried schedule(...) and until the
     * purge. An id recorded already (an older jobq's schedule(...), retried while its first copy was
     * being handed on, could store the row again) keeps its record: a key violation here would roll the batch back,
     * and the next pass would meet it again.
     */
    private static final String RECORD_HANDED_ON = "INSERT INTO " + JOBQ_SCHEDULED_JOB_DONE.getName() + " ("
            + name(JOBQ_SCHEDULED_JOB_DONE.ID) + ", " + name(JOBQ_SCHEDULED_JOB_DONE.HANDED_ON_AT) + ")"
            + " SELECT handed_on.id, CAST(? AS TIMESTAMP WITH TIME ZONE)"
            + " FROM UNNEST(CAST(? AS VARCHAR(64) ARRAY)) AS handed_on(id)"
            + " WHERE NOT EXISTS (SELECT 1 FROM " + JOBQ_SCHEDULED_JOB_DONE.getName() + " recorded"
            + " WHERE recorded." + name(JOBQ_SCHEDULED_JOB_DONE.ID) + " = handed_on.id)";

    /**
     * The mark on PostgreSQL, both halves in one statement (a data-modifying WITH, which H2 lacks):
     * a round trip less per batch. An id recorded already is skipped through the primary key
     * ({@code ON CONFLICT}): with {@code NOT EXISTS}, the planner, whose statistics saw the table
     * empty, read the whole of it for every batch.
     */
    private static final String HAND_ON_IN_ONE = "WITH handed_on AS (DELETE FROM " + JOBQ_SCHEDULED_JOB.getName()
            + " WHERE " + name(JOBQ_SCHEDULED_JOB.ID) + " = ANY(?) RETURNING " + name(JOBQ_SCHEDULED_JOB.ID) + ")"
            + " INSERT INTO " + JOBQ_SCHEDULED_JOB_DONE.getName() + " (" + name(JOBQ_SCHEDULED_JOB_DONE.ID) + ", "
            + name(JOBQ_SCHEDULED_JOB_DONE.HANDED_ON_AT) + ")"
            + " SELECT handed_on." + name(JOBQ_SCHEDULED_JOB.ID) + ", CAST(? AS TIMESTAMP WITH TIME ZONE)"
            + " FROM handed_on ON CONFLICT (" + name(JOBQ_SCHEDULED_JOB_DONE.ID) + ") DO NOTHING";

    private ClaimStatements() {
    }

    private static String name(Field<?> field) {
        return field.getName();
    }

    private static String names(List<? extends Field<?>> fields) {
        return fields.stream().map(Field::getName).collect(Collectors.joining(", "));
    }

    /**
     * Locks up to {@code limit} due rows no other transaction holds, earliest first, after {@code after}
     * in the due index when given, those of the queues {@code leftOut} and those with the ids {@code idsLeftOut} left
     * out, with the columns a hand-off reads.
     */
    static List<JobqScheduledJobRecord> lockDue(Connection connection, Instant dueBy, @Nullable DuePlace after,
            List<String> leftOut, List<String> idsLeftOut, int limit) throws SQLException {
        String claim = !idsLeftOut.isEmpty() ? leavingIds(CLAIM_WHERE, after, leftOut) + CLAIM_ORDER
                : leftOut.isEmpty() ? (after == null ? CLAIM : CLAIM_AFTER)
                : (after == null ? CLAIM_LEAVING_QUEUES : CLAIM_AFTER_LEAVING_QUEUES);
        try (PreparedStatement statement = connection.prepareStatement(claim)) {
            int parameter = 1;
            statement.setObject(parameter++, utc(dueBy));
            parameter = setPlace(statement, parameter, after);
            parameter = setQueues(statement, parameter, leftOut);
            parameter = setQueues(statement, parameter, idsLeftOut);
            statement.setInt(parameter, limit);
            try (ResultSet rows = statement.executeQuery()) {
                List<JobqScheduledJobRecord> claimed = new ArrayList<>(limit);
                while (rows.next()) {
                    claimed.add(claimed(rows));
                }
                return claimed;
            }
        }
    }

    /**
     * As {@link #lockDue}, for H2: reads the ids of the first {@code limit} due rows without locking,
     * then locks those by primary key, skipping rows another transaction holds, and keeps the ones
     * whose locked values are still scheduled and due, in the order of the first read. A row another
     * scheduler handed on in between is read locked with its new status and left out; a row it still
     * holds is skipped, and the next candidates are read after the last one until the batch is full
     * or none is left. Starts after {@code from} in the due index when given; the rows of the queues {@code leftOut}
     * and those with the ids {@code idsLeftOut} are left out.
     */
    static List<JobqScheduledJobRecord> lockDueInTwoSteps(Connection connection, Instant dueBy,
            @Nullable DuePlace from, List<String> leftOut, List<String> idsLeftOut, int limit) throws SQLException {
        List<JobqScheduledJobRecord> claimed = new ArrayList<>(limit);
        DuePlace after = from;
        while (claimed.size() < limit) {
            int wanted = limit - claimed.size();
            List<DuePlace> candidates = candidates(connection, dueBy, after, leftOut, idsLeftOut, wanted);
            if (candidates.isEmpty()) {
                break;
            }
            claimed.addAll(lockCandidates(connection, candidates, dueBy));
            if (candidates.size() < wanted) {
                break;
            }
            after = candidates.getLast();
        }
        return claimed;
    }

    /** Binds {@code place}'s two parameters from {@code parameter} on, if given; returns the next parameter's index. */
    private static int setPlace(PreparedStatement statement, int parameter, @Nullable DuePlace place)
            throws SQLException {
        if (place == null) {
            return parameter;
        }
        statement.setObject(parameter, utc(place.dueAt()));
        statement.setString(parameter + 1, place.id());
        return parameter + 2;
    }

    /**
     * The claim's (or candidates') WHERE for rows with the ids of {@link #IDS_LEFT_OUT} left out: {@code where}, then
     * the place when {@code after} is given and the queues when {@code leftOut} has any, then the ids.
     */
    private static String leavingIds(String where, @Nullable DuePlace after, List<String> leftOut) {
        return where + (after == null ? "" : AFTER_PLACE) + (leftOut.isEmpty() ? "" : QUEUES_LEFT_OUT) + IDS_LEFT_OUT;
    }

    /**
     * Binds the values {@code leftOut} (queues, or ids) as one array parameter at {@code parameter}, if there are any;
     * returns the next parameter's index.
     */
    private static int setQueues(PreparedStatement statement, int parameter, List<String> leftOut)
            throws SQLException {
        if (leftOut.isEmpty()) {
            return parameter;
        }
        statement.setObject(parameter, leftOut.toArray(new String[0]));
        return parameter + 1;
    }

    /**
     * Up to {@code limit} due rows in due order, after {@code after} when given, the queues {@code leftOut} and the ids
     * {@code idsLeftOut} left out; no locks.
     */
    private static List<DuePlace> candidates(Connection connection, Instant dueBy, @Nullable DuePlace after,
            List<String> leftOut, List<String> idsLeftOut, int limit) throws SQLException {
        String select = !idsLeftOut.isEmpty() ? leavingIds(CANDIDATES, after, leftOut) + IN_DUE_ORDER
                : leftOut.isEmpty() ? (after == null ? CANDIDATES + IN_DUE_ORDER : CANDIDATES_AFTER)
                : (after == null ? CANDIDATES_LEAVING_QUEUES : CANDIDATES_AFTER_LEAVING_QUEUES);
        try (PreparedStatement statement = connection.prepareStatement(select)) {
            int parameter = 1;
            statement.setObject(parameter++, utc(dueBy));
            parameter = setPlace(statement, parameter, after);
            parameter = setQueues(statement, parameter, leftOut);
            parameter = setQueues(statement, parameter, idsLeftOut);
            statement.setInt(parameter, limit);
            try (ResultSet rows = statement.executeQuery()) {
                List<DuePlace> candidates = new ArrayList<>(limit);
                while (rows.next()) {
                    candidates.add(new DuePlace(rows.getString(1), instant(rows, 2)));
                }
                return candidates;
            }
        }
    }

    /** Locks the candidates no one else holds and returns those still scheduled and due, in their order. */
    private static List<JobqScheduledJobRecord> lockCandidates(Connection connection, List<DuePlace> candidates,
            Instant dueBy) throws SQLException {
        Map<String, JobqScheduledJobRecord> locked = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(LOCK_CANDIDATES)) {
            Array array = connection.createArrayOf("varchar", candidates.stream().map(DuePlace::id).toArray());
            try {
                statement.setArray(1, array);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        JobqScheduledJobRecord row = claimed(rows);
                        boolean stillDue = ScheduledJobs.SCHEDULED.equals(rows.getString(CLAIMED.size() + 1))
                                && !row.getDueAt().isAfter(dueBy);
                        if (stillDue) {
                            locked.put(row.getId(), row);
                        }
                    }
                }
            } finally {
                array.free();
            }
        }
        List<JobqScheduledJobRecord> claimed = new ArrayList<>(locked.size());
        for (DuePlace candidate : candidates) {
            JobqScheduledJobRecord row = locked.get(candidate.id());
            if (row != null) {
                claimed.add(row);
            }
        }
        return claimed;
    }

    /** The row at the cursor, in the columns of {@link #CLAIMED}. */
    private static JobqScheduledJobRecord claimed(ResultSet rows) throws SQLException {
        var row = new JobqScheduledJobRecord();
        row.setId(rows.getString(1));
        row.setType(rows.getString(2));
        row.setPayload(rows.getString(3));
        row.setOptions(rows.getString(4));
        row.setTraceId(rows.getString(5));
        row.setScheduledFor(instant(rows, 6));
        row.setDueAt(instant(rows, 7));
        row.setAttempts(rows.getInt(8));
        row.setCreatedAt(instant(rows, 9));
        // The last failed hand-off's error (null while none failed): a rejection is logged once, not at each try.
        row.setError(rows.getString(10));
        return row;
    }

    /**
     * Marks the rows with these ids handed on: deletes them and records their ids with {@code now} (none when no row
     * was there);
     * call in the transaction that claimed them. {@code inOneStatement} on PostgreSQL only.
     */
    static void markHandedOn(Connection connection, Collection<String> ids, Instant now, boolean inOneStatement)
            throws SQLException {
        Array array = connection.createArrayOf("varchar", ids.toArray());
        try {
            if (inOneStatement) {
                try (PreparedStatement statement = connection.prepareStatement(HAND_ON_IN_ONE)) {
                    statement.setArray(1, array);
                    statement.setObject(2, utc(now));
                    statement.executeUpdate();
                }
                return;
            }
            try (PreparedStatement statement = connection.prepareStatement(REMOVE_HANDED_ON)) {
                statement.setArray(1, array);
                if (statement.executeUpdate() == 0) {
                    // No row: a recurring occurrence's id (a cancel of one handed on before a lost commit), recorded
                    // here as a one-time job handed on, which status(id) then said ENQUEUED on H2 alone: PostgreSQL's
                    // statement records only the rows it deletes. A batch's own rows are all there (it locked them).
                    return;
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(RECORD_HANDED_ON)) {
                statement.setObject(1, utc(now));
                statement.setArray(2, array);
                statement.executeUpdate();
            }
        } finally {
            array.free();
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static @Nullable Instant instant(ResultSet rows, int column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
