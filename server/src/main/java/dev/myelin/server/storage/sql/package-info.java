/**
 * The SQL implementation of the stores, shared by SQLite and PostgreSQL.
 *
 * <p>A store takes the {@link dev.myelin.server.storage.sql.Database} in its constructor and does each operation as
 * one {@code database.read(...)} or {@code database.write(...)}, using {@link dev.myelin.server.storage.sql.Jdbc} on
 * the connection it is handed. Helpers that must join a caller's transaction take the {@link java.sql.Connection}
 * (as {@link dev.myelin.server.storage.sql.SqlStreamPositions#next} does) instead of opening their own. Schema changes
 * are new {@code db/migration/V<n>__*.sql} files written once for both databases, with the placeholders of
 * {@link dev.myelin.server.storage.sql.Dialect#migrationPlaceholders()}; bump {@code Migrations.LATEST_VERSION} with
 * each.
 */
package dev.myelin.server.storage.sql;
