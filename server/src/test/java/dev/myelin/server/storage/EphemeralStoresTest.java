package dev.myelin.server.storage;

import dev.myelin.server.storage.PresenceStore.Presence;
import dev.myelin.server.storage.ReceiptStore.Receipt;
import dev.myelin.server.storage.sql.SqlAccountDataStore;
import dev.myelin.server.storage.sql.SqlPresenceStore;
import dev.myelin.server.storage.sql.SqlReceiptStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Account data, receipt and presence stores on SQLite and PostgreSQL. */
class EphemeralStoresTest extends StoreContractTest {

    @Test
    void accountDataKeepsTheLatestOfEachTypeWithAStreamPositionPerChange() {
        var store = new SqlAccountDataStore(database);
        assertThat(store.currentPosition()).isZero();
        long first = store.put("@a:hs", AccountDataStore.GLOBAL, "m.direct", "{\"x\":1}");
        long second = store.put("@a:hs", "!r:hs", "org.example", "{\"y\":2}");
        long third = store.put("@a:hs", AccountDataStore.GLOBAL, "m.direct", "{\"x\":3}");
        store.put("@b:hs", AccountDataStore.GLOBAL, "m.direct", "{}");
        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
        assertThat(store.get("@a:hs", AccountDataStore.GLOBAL, "m.direct")).hasValue("{\"x\":3}");
        assertThat(store.get("@a:hs", "!r:hs", "m.direct")).isEmpty();
        assertThat(store.get("@a:hs", "!r:hs", "org.example")).hasValue("{\"y\":2}");

        assertThat(store.changed("@a:hs", 0, third)).extracting(AccountDataStore.Entry::type)
                .containsExactly("org.example", "m.direct");
        assertThat(store.changed("@a:hs", second, third)).singleElement()
                .satisfies(e -> assertThat(e.global()).isTrue());
        assertThat(store.changed("@a:hs", 0, first)).isEmpty();
        assertThat(store.all("@a:hs", "!r:hs")).extracting(AccountDataStore.Entry::content).containsExactly("{\"y\":2}");
        assertThat(store.currentPosition()).isEqualTo(third + 1);

        long updated = store.update("@a:hs", "!r:hs", "m.tag", current -> current.orElse("none") + "!");
        assertThat(store.get("@a:hs", "!r:hs", "m.tag")).hasValue("none!");
        assertThat(updated).isEqualTo(store.currentPosition());
        assertThat(reopen()).isNotNull();
        assertThat(new SqlAccountDataStore(database).get("@a:hs", "!r:hs", "m.tag")).hasValue("none!");
    }

    @Test
    void receiptsReplaceTheirUserTypeAndThreadAndCanWriteTheFullyReadMarkerInTheSameTransaction() {
        var store = new SqlReceiptStore(database);
        var saved = store.save("@a:hs", "!r:hs", List.of(
                new Receipt("!r:hs", "@a:hs", "m.read", Optional.empty(), "$1", 10),
                new Receipt("!r:hs", "@a:hs", "m.read", Optional.of("main"), "$2", 11)), Optional.empty());
        assertThat(saved.accountDataPos()).isZero();
        assertThat(store.ofRooms(List.of("!r:hs"))).hasSize(2);
        var again = store.save("@a:hs", "!r:hs", List.of(
                new Receipt("!r:hs", "@a:hs", "m.read", Optional.empty(), "$0", 12)), Optional.of("{\"event_id\":\"$0\"}"));
        assertThat(again.receiptsPos()).isGreaterThan(saved.receiptsPos());
        assertThat(again.accountDataPos()).isPositive();
        assertThat(new SqlAccountDataStore(database).get("@a:hs", "!r:hs", "m.fully_read"))
                .hasValue("{\"event_id\":\"$0\"}");

        assertThat(store.ofRooms(List.of("!r:hs"))).extracting(s -> s.receipt().eventId())
                .containsExactlyInAnyOrder("$2", "$0");
        assertThat(store.changed(saved.receiptsPos(), again.receiptsPos())).singleElement()
                .satisfies(s -> {
                    assertThat(s.receipt().eventId()).isEqualTo("$0");
                    assertThat(s.receipt().threadId()).isEmpty();
                    assertThat(s.receipt().ts()).isEqualTo(12);
                });
        assertThat(store.ofRooms(List.of("!other:hs"))).isEmpty();
        assertThat(store.ofRooms(List.of())).isEmpty();
        assertThat(store.currentPosition()).isEqualTo(again.receiptsPos());
    }

    @Test
    void presenceIsOneRowPerUserWithTheLatestChangesPosition() {
        var store = new SqlPresenceStore(database);
        long first = store.put(new Presence("@a:hs", "online", Optional.of("hi"), 1000, true));
        long second = store.put(new Presence("@b:hs", "offline", Optional.empty(), 0, false));
        long third = store.put(new Presence("@a:hs", "unavailable", Optional.empty(), 1000, false));
        assertThat(store.get("@a:hs")).hasValueSatisfying(s -> {
            assertThat(s.presence().state()).isEqualTo("unavailable");
            assertThat(s.presence().statusMsg()).isEmpty();
            assertThat(s.streamPos()).isEqualTo(third);
        });
        assertThat(store.changed(first, third)).extracting(s -> s.presence().userId())
                .containsExactly("@b:hs", "@a:hs");
        assertThat(store.changed(second, third)).hasSize(1);
        assertThat(store.of(List.of("@a:hs", "@b:hs", "@c:hs"))).hasSize(2);
        assertThat(store.notOffline()).extracting(s -> s.presence().userId()).containsExactly("@a:hs");
        assertThat(store.get("@c:hs")).isEmpty();
        assertThat(store.currentPosition()).isEqualTo(third);
    }
}
