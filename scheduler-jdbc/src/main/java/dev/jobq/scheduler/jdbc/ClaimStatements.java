package dev.jobq.scheduler.jdbc;

import static dev.jobq.scheduler.jdbc.schema.tables.JobqScheduledJob.JOBQ_SCHEDULED_JOB;

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
import java.util.List;
import java.util.stream.Collectors;
import org.jooq.Field;
import org.jspecify.annotations.Nullable;

/**
 * The two statements the firing thread runs for every batch of one-time jobs, the claim and the
 * mark, as fixed SQL run with plain JDBC on the transaction's connection (the table's and columns'
 * names come from the generated jOOQ classes). Built through jOOQ's DSL, each batch rendered both
 * anew, set up an execute context and mapped every row through a record cursor: a profile of B6
 * on durable PostgreSQL put two thirds of the firing thread's CPU there (docs/benchmarks.md).
 */
final class ClaimStatements {

    /** The columns a hand-off reads, in the order {@link #lockDue} reads them. */
    private static final List<Field<?>> CLAIMED = List.of(JOBQ_SCHEDULED_JOB.ID, JOBQ_SCHEDULED_JOB.TYPE,
            JOBQ_SCHEDULED_JOB.PAYLOAD, JOBQ_SCHEDULED_JOB.OPTIONS, JOBQ_SCHEDULED_JOB.TRACE_ID,
            JOBQ_SCHEDULED_JOB.SCHEDULED_FOR, JOBQ_SCHEDULED_JOB.DUE_AT, JOBQ_SCHEDULED_JOB.ATTEMPTS,
            JOBQ_SCHEDULED_JOB.CREATED_AT);

    /**
     * Claims in the due index's own order (status is fixed by the WHERE), so the database reads the
     * batch it takes. Plain SQL that H2 and PostgreSQL both take, with the generated names.
     */
    private static final String CLAIM = "SELECT " + names(CLAIMED) + " FROM " + JOBQ_SCHEDULED_JOB.getName()
            + " WHERE " + name(JOBQ_SCHEDULED_JOB.STATUS) + " = '" + ScheduledJobs.SCHEDULED + "' AND "
            + name(JOBQ_SCHEDULED_JOB.DUE_AT) + " <= ?"
            + " ORDER BY " + names(List.of(JOBQ_SCHEDULED_JOB.STATUS, JOBQ_SCHEDULED_JOB.DUE_AT, JOBQ_SCHEDULED_JOB.ID))
            + " LIMIT ? FOR UPDATE SKIP LOCKED";

    /** One array parameter: an IN list would be a new statement for every batch size. */
    private static final String MARK = "UPDATE " + JOBQ_SCHEDULED_JOB.getName()
            + " SET " + name(JOBQ_SCHEDULED_JOB.STATUS) + " = '" + ScheduledJobs.ENQUEUED + "', "
            + name(JOBQ_SCHEDULED_JOB.PENDING_KEY) + " = NULL, " + name(JOBQ_SCHEDULED_JOB.ERROR) + " = NULL, "
            + name(JOBQ_SCHEDULED_JOB.UPDATED_AT) + " = ?"
            + " WHERE " + name(JOBQ_SCHEDULED_JOB.ID) + " = ANY(?)";

    private ClaimStatements() {
    }

    private static String name(Field<?> field) {
        return field.getName();
    }

    private static String names(List<? extends Field<?>> fields) {
        return fields.stream().map(Field::getName).collect(Collectors.joining(", "));
    }

    /** Locks up to {@code limit} due rows no other transaction holds, earliest first, with the columns a hand-off reads. */
    static List<JobqScheduledJobRecord> lockDue(Connection connection, Instant dueBy, int limit) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(CLAIM)) {
            statement.setObject(1, utc(dueBy));
            statement.setInt(2, limit);
            try (ResultSet rows = statement.executeQuery()) {
                List<JobqScheduledJobRecord> claimed = new ArrayList<>(limit);
                while (rows.next()) {
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
                    claimed.add(row);
                }
                return claimed;
            }
        }
    }

    /** Marks the rows with these ids enqueued; call in the transaction that claimed them. */
    static void markEnqueued(Connection connection, Collection<String> ids, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(MARK)) {
            Array array = connection.createArrayOf("varchar", ids.toArray());
            try {
                statement.setObject(1, utc(now));
                statement.setArray(2, array);
                statement.executeUpdate();
            } finally {
                array.free();
            }
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
