package dev.myelin.server.storage.sql;

/**
 * A snapshot of one connection pool, for metrics.
 *
 * @param pool    e.g. {@code sqlite-writer}, {@code sqlite-readers}, {@code postgres}
 * @param active  connections running work
 * @param idle    open connections waiting for work
 * @param pending work waiting for a connection
 * @param total   open connections
 */
public record PoolStats(String pool, int active, int idle, int pending, int total) {}
