package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.AppServiceStore;
import dev.myelin.server.storage.StorageException;

import java.util.Optional;

/** Application service progress in SQL. */
public final class SqlAppServiceStore implements AppServiceStore {
    private final Database database;

    public SqlAppServiceStore(Database database) {
        this.database = database;
    }

    @Override
    public void startAt(String appServiceId, long eventsPos) {
        database.write(c -> Jdbc.update(c, "INSERT INTO appservice_progress (appservice_id, events_pos, next_txn_id)"
                + " VALUES (?, ?, 1) ON CONFLICT (appservice_id) DO NOTHING", appServiceId, eventsPos));
    }

    @Override
    public Progress progress(String appServiceId) {
        return database.read(c -> Jdbc.queryOne(c,
                "SELECT events_pos, next_txn_id, pending_body FROM appservice_progress WHERE appservice_id = ?",
                row -> new Progress(row.getLong(1), row.getLong(2), Optional.ofNullable(row.getString(3))),
                appServiceId)).orElseThrow(() -> new StorageException("no progress for application service "
                + appServiceId, null));
    }

    @Override
    public void skipTo(String appServiceId, long eventsPos) {
        database.write(c -> Jdbc.update(c, "UPDATE appservice_progress SET events_pos = ? WHERE appservice_id = ?"
                + " AND pending_body IS NULL", eventsPos, appServiceId));
    }

    @Override
    public void queue(String appServiceId, long eventsPos, String body) {
        database.write(c -> Jdbc.update(c, "UPDATE appservice_progress SET events_pos = ?, pending_body = ?"
                + " WHERE appservice_id = ? AND pending_body IS NULL", eventsPos, body, appServiceId));
    }

    @Override
    public void delivered(String appServiceId) {
        database.write(c -> Jdbc.update(c, "UPDATE appservice_progress SET next_txn_id = next_txn_id + 1,"
                + " pending_body = NULL WHERE appservice_id = ? AND pending_body IS NOT NULL", appServiceId));
    }
}
