package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.InboundTransactionStore;

import java.util.Optional;

public final class SqlInboundTransactionStore implements InboundTransactionStore {
    private final Database database;

    public SqlInboundTransactionStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<byte[]> response(String origin, String txnId) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT response_json FROM federation_inbound_txns WHERE origin = ? AND txn_id = ?",
                row -> row.getBytes(1), origin, txnId));
    }

    @Override
    public void record(String origin, String txnId, byte[] response, long nowTs) {
        database.write(connection -> Jdbc.update(connection, """
                INSERT INTO federation_inbound_txns (origin, txn_id, response_json, received_ts) VALUES (?, ?, ?, ?)
                ON CONFLICT (origin, txn_id) DO NOTHING""", origin, txnId, response, nowTs));
    }

    @Override
    public int prune(long beforeTs) {
        return database.write(connection -> Jdbc.update(connection,
                "DELETE FROM federation_inbound_txns WHERE received_ts < ?", beforeTs));
    }
}
