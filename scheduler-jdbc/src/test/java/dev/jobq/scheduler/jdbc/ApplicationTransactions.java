package dev.jobq.scheduler.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * An application's DataSource as Spring's transaction-aware ones behave: on a thread inside one of the application's
 * transactions ({@link #bind}), every connection asked for is that transaction's, and closing it leaves it open;
 * elsewhere a connection of the pool. So what the scheduler's API writes on the DataSource joins the transaction, as
 * docs/scheduler.md says it does.
 */
final class ApplicationTransactions extends ForwardingDataSource {

    private final ThreadLocal<Connection> bound = new ThreadLocal<>();

    ApplicationTransactions(DataSource pool) {
        super(pool);
    }

    /** Starts an application's transaction on this thread, on {@code connection}, which the caller commits and closes. */
    void bind(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        bound.set(connection);
    }

    void unbind() {
        bound.remove();
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection transaction = bound.get();
        if (transaction == null) {
            return pool.getConnection();
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(transaction, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public String toString() {
        return "the application's transaction-aware DataSource";
    }
}
