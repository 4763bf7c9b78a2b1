package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.OpenIdTokenStore;

import java.util.Optional;

/** OpenID tokens in {@code openid_tokens}. */
public final class SqlOpenIdTokenStore implements OpenIdTokenStore {
    private final Database database;

    public SqlOpenIdTokenStore(Database database) {
        this.database = database;
    }

    @Override
    public void create(String tokenHash, String userId, long expiresTs, long nowTs) {
        database.write(c -> {
            Jdbc.update(c, "DELETE FROM openid_tokens WHERE expires_ts <= ?", nowTs);
            return Jdbc.update(c, "INSERT INTO openid_tokens (token_hash, user_id, expires_ts) VALUES (?, ?, ?)",
                    tokenHash, userId, expiresTs);
        });
    }

    @Override
    public Optional<String> userOf(String tokenHash, long nowTs) {
        return database.read(c -> Jdbc.queryOne(c,
                "SELECT user_id FROM openid_tokens WHERE token_hash = ? AND expires_ts > ?",
                row -> row.getString(1), tokenHash, nowTs));
    }
}
