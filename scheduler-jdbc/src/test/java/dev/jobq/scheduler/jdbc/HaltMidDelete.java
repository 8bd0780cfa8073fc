package dev.jobq.scheduler.jdbc;

import java.sql.Connection;
import org.h2.api.Trigger;

/**
 * An H2 trigger for {@link H2InterruptedUpgradeTest}'s child process: at the row of a DELETE its
 * trigger's name gives (HALT_AT_<n>), it halts the JVM at once, as {@code kill -9} would, so that
 * the statement and its transaction are cut off in the middle.
 */
public final class HaltMidDelete implements Trigger {

    private int halfAt;
    private int rows;

    @Override
    public void init(Connection connection, String schema, String triggerName, String table, boolean before,
                     int type) {
        halfAt = Integer.parseInt(triggerName.substring(triggerName.lastIndexOf('_') + 1));
    }

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) {
        if (++rows == halfAt) {
            System.out.println("halting at deleted row " + rows);
            System.out.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
