package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.Backend;
import dev.myelin.server.storage.SearchStore;
import dev.myelin.server.storage.UserDirectoryStore.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V19 over data stored before it, on both databases: the SQLite search index is rebuilt with its scope tokens and
 * the directory's word rows get their display names, so searches rank and filter as before.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class V19MigrationTest {
    @Parameter
    Backend backend;

    @TempDir
    Path tempDir;

    private OldSchema old;

    @AfterEach
    void drop() {
        if (old != null) {
            old.drop();
        }
    }

    @Test
    void searchAndDirectoryWorkOnDataStoredBeforeV19() throws Exception {
        old = OldSchema.migratedTo(backend, tempDir, previousVersion());
        Dialect dialect = backend == Backend.SQLITE ? Dialect.SQLITE : Dialect.POSTGRES;
        try (var connection = old.connect()) {
            String index = dialect == Dialect.SQLITE
                    ? "INSERT INTO event_search (rowid, value, key, room_nid) VALUES (?, ?, ?, ?)"
                    : "INSERT INTO event_search (event_nid, vector, key, room_nid)"
                    + " VALUES (?, to_tsvector('english', ?), ?, ?)";
            Jdbc.update(connection, index, 1L, "the garden is blooming", SearchStore.BODY, 7L);
            Jdbc.update(connection, index, 2L, "Garden club", SearchStore.NAME, 7L);
            Jdbc.update(connection, index, 3L, "another garden", SearchStore.BODY, 8L);
            for (String[] user : new String[][]{{"@a:x", "Zed Tag"}, {"@b:x", "Tag Beta"}}) {
                Jdbc.update(connection, "INSERT INTO user_directory (user_id, display_name, is_local) VALUES (?, ?, ?)",
                        user[0], user[1], false);
                for (String term : dev.myelin.server.userdir.DirectoryTerms.ofUser(user[0], user[1])) {
                    Jdbc.update(connection, "INSERT INTO user_directory_terms (term, user_id) VALUES (?, ?)",
                            term, user[0]);
                }
                Jdbc.update(connection, "INSERT INTO room_memberships (room_nid, user_id, membership, event_nid)"
                        + " VALUES (7, ?, 'join', 0)", user[0]);
            }
            Jdbc.update(connection, "INSERT INTO user_directory_public_rooms (room_nid) VALUES (7)");
        }

        try (Database database = Database.open(old.settings())) {
            var search = new SqlSearchStore(database);
            var all = Set.of(SearchStore.BODY, SearchStore.NAME, SearchStore.TOPIC);
            assertThat(nids(search.search(List.of(7L), all, "garden", SearchStore.Order.RECENT, 0, 0, 10).hits()))
                    .containsExactly(2L, 1L);
            assertThat(nids(search.search(List.of(7L), Set.of(SearchStore.NAME), "garden", SearchStore.Order.RANK,
                    0, 0, 10).hits())).containsExactly(2L);
            assertThat(nids(search.search(List.of(7L, 8L), Set.of(SearchStore.BODY), "garden",
                    SearchStore.Order.RANK, 0, 0, 10).hits())).containsExactlyInAnyOrder(1L, 3L);
            assertThat(search.search(List.of(8L), all, "garden", SearchStore.Order.RANK, 0, 0, 10).count())
                    .isEqualTo(1);

            // "Tag Beta" starts with the term: ranked first only if its word rows got the display name.
            var directory = new SqlUserDirectoryStore(database);
            assertThat(directory.search("@s:x", "tag", List.of("tag"), 10, false).stream().map(Entry::userId))
                    .containsExactly("@b:x", "@a:x");
        }
    }

    /** The newest migration before V19. */
    private int previousVersion() throws Exception {
        Path dir = Path.of(getClass().getClassLoader().getResource("db/migration").toURI());
        try (var files = java.nio.file.Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(name -> name.matches("V\\d+__.*\\.sql"))
                    .mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__"))))
                    .filter(version -> version < 19).max().orElseThrow();
        }
    }

    private static List<Long> nids(List<SearchStore.Hit> hits) {
        return hits.stream().map(SearchStore.Hit::eventNid).toList();
    }
}
