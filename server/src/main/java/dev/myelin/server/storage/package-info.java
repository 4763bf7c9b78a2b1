/**
 * Storage API: one {@code *Store} interface per domain, returning records. Implementations live in
 * {@link dev.myelin.server.storage.sql}; their tests extend {@code StoreContractTest} and so run on SQLite and
 * PostgreSQL alike.
 */
package dev.myelin.server.storage;
