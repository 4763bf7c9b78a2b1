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
    void eachRowCheckSeesItsOwnStatementsCount() {
        var counts = new java.util.ArrayList<Integer>();
        database.write(c -> {
            Jdbc.update(c, "INSERT INTO items (name, size) VALUES ('a', 1), ('b', 1), ('c', 2)");
            var writes = new DeferredWrites(c, database.dialect());
            writes.update(counts::add, "UPDATE items SET size = 5 WHERE size = ?", 1L);
            writes.update(counts::add, "UPDATE items SET size = 6 WHERE name = ?", "nobody");
            writes.update(counts::add, "DELETE FROM items WHERE size = ?", 2L);
            writes.flush();
            return null;
        });

        assertThat(counts).containsExactly(2, 0, 1);
    }

    @Test
    void aFailedCheckRollsTheWholeTransactionBack() {
        assertThatThrownBy(() -> database.write(c -> {
            var writes = new DeferredWrites(c, database.dialect());
            writes.update("INSERT INTO items (name, size) VALUES (?, ?)", "a", 1L);
            writes.update(rows -> {
                if (rows == 0) {
                    throw new IllegalStateException("nothing updated");
                }
            }, "UPDATE items SET size = 2 WHERE name = ?", "nobody");
            writes.flush();
            return null;
        })).isInstanceOf(IllegalStateException.class);

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
