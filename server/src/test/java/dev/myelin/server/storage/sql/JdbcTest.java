package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.StoreContractTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Jdbc helpers and the migration placeholders behave alike on both databases. */
class JdbcTest extends StoreContractTest {

    record Blob(long id, byte[] bytes, String label) {}

    @BeforeEach
    void createTable() {
        Map<String, String> types = database.dialect().migrationPlaceholders();
        database.write(connection -> Jdbc.update(connection, "CREATE TABLE blobs (id " + types.get("id_pk")
                + ", bytes " + types.get("blob") + " NOT NULL, label TEXT, flag BOOLEAN NOT NULL DEFAULT FALSE)"));
    }

    private long insert(byte[] bytes, String label) {
        return database.write(connection -> Jdbc.queryOne(connection,
                "INSERT INTO blobs (bytes, label) VALUES (?, ?) RETURNING id", row -> row.getLong(1), bytes, label)
                .orElseThrow());
    }

    private List<Blob> all() {
        return database.read(connection -> Jdbc.queryList(connection, "SELECT id, bytes, label FROM blobs ORDER BY id",
                row -> new Blob(row.getLong(1), row.getBytes(2), row.getString(3))));
    }

    @Test
    void generatedIdsIncrease() {
        long first = insert(new byte[] {1}, "a");
        long second = insert(new byte[] {2}, "b");

        assertThat(second).isGreaterThan(first);
    }

    @Test
    void bytesAndNullsRoundTrip() {
        byte[] bytes = {0, (byte) 0xff, 0x7f, '{', '}'};
        insert(bytes, null);

        assertThat(all()).singleElement().satisfies(blob -> {
            assertThat(blob.bytes()).isEqualTo(bytes);
            assertThat(blob.label()).isNull();
        });
    }

    @Test
    void updateCountsChangedRowsAndBindsBooleans() {
        insert(new byte[] {1}, "a");
        insert(new byte[] {2}, "b");

        int changed = database.write(connection -> Jdbc.update(connection, "UPDATE blobs SET flag = ? WHERE label = ?",
                true, "a"));
        Optional<String> flagged = database.read(connection -> Jdbc.queryOne(connection,
                "SELECT label FROM blobs WHERE flag = ?", row -> row.getString(1), true));

        assertThat(changed).isEqualTo(1);
        assertThat(flagged).contains("a");
    }

    @Test
    void queryOneOfNothingIsEmpty() {
        Optional<String> none = database.read(connection -> Jdbc.queryOne(connection,
                "SELECT label FROM blobs WHERE id = ?", row -> row.getString(1), 42L));

        assertThat(none).isEmpty();
    }
}
