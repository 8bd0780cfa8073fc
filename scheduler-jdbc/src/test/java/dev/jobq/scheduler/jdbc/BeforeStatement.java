package dev.jobq.scheduler.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A DataSource whose connections run a step of the test, once, just before the first statement matching a pattern is
 * prepared on any of them once armed: a race lined up at a chosen point between a call's statements.
 */
final class BeforeStatement extends ForwardingDataSource {

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private final Pattern statement;
    private final AtomicReference<Step> armed = new AtomicReference<>();

    /** {@code statement} is found in the SQL lower-cased, without quotes. */
    BeforeStatement(DataSource pool, Pattern statement) {
        super(pool);
        this.statement = statement;
    }

    /** Runs {@code step} before the next matching statement is prepared, and only then. */
    void arm(Step step) {
        armed.set(step);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = pool.getConnection();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement") && args[0] instanceof String sql
                            && statement.matcher(sql.toLowerCase(Locale.ROOT).replace("\"", "")).find()) {
                        Step step = armed.getAndSet(null);
                        if (step != null) {
                            step.run();
                        }
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
