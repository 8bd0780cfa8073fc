package dev.jobq.scheduler.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A DataSource whose connections run a step of the test, once, just before the first statement matching a pattern is
 * prepared on any of them once armed: a race lined up at a chosen point between a call's statements.
 */
final class BeforeStatement implements DataSource {

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private final DataSource pool;
    private final Pattern statement;
    private final AtomicReference<Step> armed = new AtomicReference<>();

    /** {@code statement} is found in the SQL lower-cased, without quotes. */
    BeforeStatement(DataSource pool, Pattern statement) {
        this.pool = pool;
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

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool has its own credentials");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool.isWrapperFor(type);
    }
}
