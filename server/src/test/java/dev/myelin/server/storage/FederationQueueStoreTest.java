package dev.myelin.server.storage;

import dev.myelin.server.storage.FederationQueueStore.Backoff;
import dev.myelin.server.storage.FederationQueueStore.Kind;
import dev.myelin.server.storage.FederationQueueStore.QueuedItem;
import dev.myelin.server.storage.sql.SqlFederationQueueStore;
import dev.myelin.server.storage.sql.SqlInboundTransactionStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FederationQueueStoreTest extends StoreContractTest {

    private FederationQueueStore store() {
        return new SqlFederationQueueStore(database);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<QueuedItem> items) {
        return items.stream().map(i -> i.kind() + " " + new String(i.json(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void itemsAreOwedToEachDestinationInOrder() {
        store().enqueue(Kind.PDU, json("{\"p\":1}"), List.of("a.example", "b.example"), 1);
        store().enqueue(Kind.EDU, json("{\"e\":1}"), List.of("a.example"), 2);
        store().enqueue(Kind.PDU, json("{\"p\":2}"), List.of("a.example"), 3);

        assertThat(texts(store().next("a.example", 50, 100)))
                .containsExactly("PDU {\"p\":1}", "EDU {\"e\":1}", "PDU {\"p\":2}");
        assertThat(texts(store().next("b.example", 50, 100))).containsExactly("PDU {\"p\":1}");
        assertThat(store().destinationsWithItems()).containsExactly("a.example", "b.example");
    }

    @Test
    void aTransactionTakesAtMostTheLimitOfEachKind() {
        for (int i = 0; i < 5; i++) {
            store().enqueue(Kind.PDU, json("{\"p\":" + i + "}"), List.of("a.example"), i);
            store().enqueue(Kind.EDU, json("{\"e\":" + i + "}"), List.of("a.example"), i);
        }

        var next = store().next("a.example", 2, 3);

        assertThat(next).filteredOn(i -> i.kind() == Kind.PDU).hasSize(2);
        assertThat(next).filteredOn(i -> i.kind() == Kind.EDU).hasSize(3);
    }

    @Test
    void deliveredItemsAreForgottenOnceNoDestinationIsOwedThem() throws Exception {
        long shared = store().enqueue(Kind.PDU, json("{\"p\":1}"), List.of("a.example", "b.example"), 1);

        store().delivered(Map.of("a.example", List.of(shared)));
        assertThat(store().next("a.example", 50, 100)).isEmpty();
        assertThat(store().next("b.example", 50, 100)).hasSize(1);

        store().delivered(Map.of("b.example", List.of(shared)));
        assertThat(store().destinationsWithItems()).isEmpty();
        int items = database.read(c -> dev.myelin.server.storage.sql.Jdbc.queryOne(c,
                "SELECT COUNT(*) FROM federation_outbox_items", r -> r.getInt(1)).orElseThrow());
        assertThat(items).isZero();
    }

    @Test
    void deliveriesToSeveralDestinationsAreForgottenInOneCall() {
        long first = store().enqueue(Kind.PDU, json("{\"p\":1}"), List.of("a.example", "b.example"), 1);
        long second = store().enqueue(Kind.PDU, json("{\"p\":2}"), List.of("a.example", "b.example"), 2);

        store().delivered(Map.of("a.example", List.of(first, second), "b.example", List.of(first)));

        assertThat(store().next("a.example", 50, 100)).isEmpty();
        assertThat(texts(store().next("b.example", 50, 100))).containsExactly("PDU {\"p\":2}");
        int items = database.read(c -> dev.myelin.server.storage.sql.Jdbc.queryOne(c,
                "SELECT COUNT(*) FROM federation_outbox_items", r -> r.getInt(1)).orElseThrow());
        assertThat(items).isOne();
    }

    @Test
    void theQueueSurvivesARestart() {
        store().enqueue(Kind.EDU, json("{\"e\":1}"), List.of("a.example"), 1);
        reopen();

        assertThat(texts(store().next("a.example", 50, 100))).containsExactly("EDU {\"e\":1}");
    }

    @Test
    void backoffIsRecordedReplacedAndCleared() {
        assertThat(store().backoff("a.example")).isEmpty();

        store().backOff("a.example", new Backoff(1, 100));
        store().backOff("a.example", new Backoff(2, 300));
        assertThat(store().backoff("a.example")).contains(new Backoff(2, 300));

        store().clearBackoff("a.example");
        assertThat(store().backoff("a.example")).isEmpty();
    }

    @Test
    void inboundTransactionsAreRememberedAndPruned() {
        var inbound = new SqlInboundTransactionStore(database);
        inbound.record("a.example", "t1", json("{\"pdus\":{}}"), 100);
        inbound.record("a.example", "t1", json("{\"other\":1}"), 150);
        inbound.record("a.example", "t2", json("{}"), 300);

        assertThat(new String(inbound.response("a.example", "t1").orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("{\"pdus\":{}}");
        assertThat(inbound.response("b.example", "t1")).isEmpty();
        assertThat(inbound.prune(200)).isEqualTo(1);
        assertThat(inbound.response("a.example", "t1")).isEmpty();
        assertThat(inbound.response("a.example", "t2")).isPresent();
    }
}
