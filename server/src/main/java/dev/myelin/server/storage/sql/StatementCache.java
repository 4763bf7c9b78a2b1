package dev.myelin.server.storage.sql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps a SQLite connection's prepared statements for reuse: sqlite-jdbc compiles the SQL again on every
 * {@code prepareStatement}, which was a quarter of the time of sending an event. The wrapped connection hands out
 * a cached statement whose {@code close()} only clears its parameters; a statement still in use (the same SQL run
 * again before the first one is closed) gets a fresh, uncached one. A connection is used by one thread at a time
 * (the writer thread, or the reader thread that took it), so the cache needs no locking. PostgreSQL needs none of
 * this: pgjdbc keeps its own per-connection statement cache.
 */
final class StatementCache implements InvocationHandler {
    private static final int CAPACITY = 256;

    private final Connection connection;
    private final Map<String, Cached> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            if (size() > CAPACITY && !eldest.getValue().inUse) {
                eldest.getValue().closeQuietly();
                return true;
            }
            return false;
        }
    };

    private StatementCache(Connection connection) {
        this.connection = connection;
    }

    static Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class},
                new StatementCache(connection));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("prepareStatement") && args != null && args.length == 1
                && args[0] instanceof String sql) {
            return prepare(sql);
        }
        if (method.getName().equals("close") && (args == null || args.length == 0)) {
            statements.values().forEach(Cached::closeQuietly);
            statements.clear();
        }
        try {
            return method.invoke(connection, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        Cached cached = statements.get(sql);
        if (cached == null) {
            cached = new Cached(connection.prepareStatement(sql));
            statements.put(sql, cached);
        } else if (cached.inUse) {
            return connection.prepareStatement(sql);
        }
        cached.inUse = true;
        return cached.handle;
    }

    /** A cached statement and the handle given out for it, whose close() returns it to the cache. */
    private static final class Cached implements InvocationHandler {
        final PreparedStatement statement;
        final PreparedStatement handle;
        boolean inUse;

        Cached(PreparedStatement statement) {
            this.statement = statement;
            this.handle = (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[]{PreparedStatement.class}, this);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("close") && (args == null || args.length == 0)) {
                if (inUse) {
                    inUse = false;
                    statement.clearParameters();
                    statement.clearBatch();
                }
                return null;
            }
            if (method.getName().equals("isClosed") && (args == null || args.length == 0)) {
                return !inUse || statement.isClosed();
            }
            try {
                return method.invoke(statement, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        void closeQuietly() {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // Closing a statement of a connection being closed: nothing left to release.
            }
        }
    }
}
