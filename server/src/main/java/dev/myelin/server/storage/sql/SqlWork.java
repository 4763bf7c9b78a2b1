package dev.myelin.server.storage.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on one connection inside one transaction. Never commit, roll back or close the connection. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
