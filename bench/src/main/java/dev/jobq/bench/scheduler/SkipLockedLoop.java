package dev.jobq.bench.scheduler;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling of B6: the least a database-backed scheduler does per due row, on plain JDBC and one
 * connection. One transaction per batch: lock up to {@code batch} due rows nobody holds, earliest
 * first ({@code FOR UPDATE SKIP LOCKED}), read every column a job needs, delete them, commit; until
 * the rows it was given are taken, or a batch comes back empty.
 *
 * <p>{@link #open} connects and {@link #close} disconnects, outside the clock, as the scheduler's
 * pool connects when its queue is built and disconnects when it is closed: on an H2 file the only
 * connection opens the database file, and closing it closes (and compacts) the database.
 */
final class SkipLockedLoop implements AutoCloseable {

    /** The claim; also what B6 asks the database to explain. */
    static final String CLAIM = "SELECT id, type, queue, payload, options, trace_id, scheduled_for, created_at "
            + "FROM jobq_scheduled_job WHERE status = 'SCHEDULED' AND due_at <= ? ORDER BY due_at LIMIT ? "
            + "FOR UPDATE SKIP LOCKED";

    private final int batch;
    private final Connection connection;
    private final PreparedStatement claim;
    private final PreparedStatement deleteFull;

    private SkipLockedLoop(int batch, Connection connection) throws SQLException {
        this.batch = batch;
        this.connection = connection;
        connection.setAutoCommit(false);
        this.claim = connection.prepareStatement(CLAIM);
        this.deleteFull = connection.prepareStatement(delete(batch));
    }

    /** The loop on its own connection to {@code table}, its statements prepared. */
    static SkipLockedLoop open(ScheduledTable table, int batch) throws SQLException {
        Connection connection = table.connect();
        try {
            return new SkipLockedLoop(batch, connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Claims and deletes rows due by now until {@code expected} are taken (the commit of the last is the
     * end, as the scheduler's clock ends at its last job handed on), or until a claim comes back empty;
     * counts them in {@code taken}.
     */
    void drain(AtomicLong taken, long expected) throws SQLException {
        while (taken.get() < expected) {
            if (claimAndDelete(taken) == 0) {
                return;
            }
        }
    }

    /** Whether a row due by now is left, claimed by nothing: looked at without taking it. */
    boolean anyDue() throws SQLException {
        claim.setObject(1, OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC));
        claim.setInt(2, 1);
        try (ResultSet rs = claim.executeQuery()) {
            return rs.next();
        } finally {
            connection.rollback();
        }
    }

    /** One transaction: up to a batch of due rows claimed, read and deleted, then committed; how many. */
    private int claimAndDelete(AtomicLong taken) throws SQLException {
        claim.setObject(1, OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC));
        claim.setInt(2, batch);
        List<String> ids = new ArrayList<>(batch);
        try (ResultSet rs = claim.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
                // Read the job as the scheduler must, to hand it on.
                rs.getString(2);
                rs.getString(3);
                rs.getString(4);
                rs.getString(5);
                rs.getString(6);
                rs.getObject(7, OffsetDateTime.class);
                rs.getObject(8, OffsetDateTime.class);
            }
        }
        if (ids.isEmpty()) {
            connection.commit();
            return 0;
        }
        if (ids.size() == batch) {
            deleteIds(deleteFull, ids);
        } else {
            try (PreparedStatement deleteSome = connection.prepareStatement(delete(ids.size()))) {
                deleteIds(deleteSome, ids);
            }
        }
        connection.commit();
        taken.addAndGet(ids.size());
        return ids.size();
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    private static void deleteIds(PreparedStatement delete, List<String> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) {
            delete.setString(i + 1, ids.get(i));
        }
        delete.executeUpdate();
    }

    private static String delete(int rows) {
        return "DELETE FROM jobq_scheduled_job WHERE id IN (" + "?, ".repeat(rows - 1) + "?)";
    }
}
