package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.Backend;
import dev.myelin.server.storage.StoreContractTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeferredWritesTest extends StoreContractTest {

    @BeforeEach
    void createTable() {
        String blob = database.dialect().migrationPlaceholders().get("blob");
        database.write(c -> Jdbc.update(c, "CREATE TABLE items (name TEXT PRIMARY KEY, size BIGINT, bytes " + blob
                + ")"));
    }

    private List<String> rows() {
        return database.read(c -> Jdbc.queryList(c,
                "SELECT name || ':' || COALESCE(CAST(size AS TEXT), 'null') FROM items ORDER BY name",
                row -> row.getString(1)));
    }

    @Test
    void statementsRunInOrderWithTheirOwnParameters() {
        database.write(c -> {
            var writes = new DeferredWrites(c, database.dialect());
            writes.update("INSERT INTO items (name, size, bytes) VALUES (?, ?, ?)", "a", 1L, new byte[] {1, 2});
            writes.update("INSERT INTO items (name, size, bytes) VALUES (?, ?, ?)", "b", null, null);
            writes.update("UPDATE items SET size = size + ? WHERE name = ?", 10L, "a");
            writes.update("DELETE FROM items WHERE name = ?", "nobody");
            writes.flush();
            return null;
        });

        assertThat(rows()).containsExactly("a:11", "b:null");
    }

    @Test
    void onPostgresqlNothingRunsBeforeTheFlush() {
        List<String> seenBeforeFlush = database.write(c -> {
            var writes = new DeferredWrites(c, database.dialect());
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "a", 1L);
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "b", 2L);
            List<String> seen = Jdbc.queryList(c, "SELECT name FROM items", row -> row.getString(1));
            writes.flush();
            return seen;
        });

        assertThat(seenBeforeFlush).hasSize(backend == Backend.POSTGRES ? 0 : 2);
        assertThat(rows()).containsExactly("a:1", "b:2");
    }

    @Test
    void committingRunsWhatIsQueuedAndEndsTheTransaction() {
        database.write(c -> {
            var writes = new DeferredWrites(c, database.dialect());
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "a", 1L);
            writes.update("UPDATE items SET size = ? WHERE name = ?", 2L, "a");
            writes.commit();
            return null;
        });

        assertThat(rows()).containsExactly("a:2");
    }

    @Test
    void aFailingStatementBeforeTheCommitStoresNothing() {
        assertThatThrownBy(() -> database.write(c -> {
            var writes = new DeferredWrites(c, database.dialect());
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "a", 1L);
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "a", 2L);
            writes.commit();
            return null;
        })).isInstanceOf(RuntimeException.class);

        assertThat(rows()).isEmpty();
    }

    @Test
    void aFailingStatementFailsTheFlushAndNothingIsStored() {
        assertThatThrownBy(() -> database.write(c -> {
            var writes = new DeferredWrites(c, database.dialect());
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "a", 1L);
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "a", 2L);
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "b", 3L);
            writes.flush();
            return null;
        })).isInstanceOf(RuntimeException.class);

        assertThat(rows()).isEmpty();
    }

    @Test
    void oneStatementAtATime() {
        assertThatThrownBy(() -> database.write(c -> {
            new DeferredWrites(c, Dialect.POSTGRES).update("DELETE FROM items; DELETE FROM items");
            return null;
        })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void flushingNothingRunsNothing() {
        database.write(c -> {
            new DeferredWrites(c, database.dialect()).flush();
            return null;
        });

        assertThat(rows()).isEmpty();
    }
}
