package dev.myelin.server.storage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.push.PushRule;
import dev.myelin.server.push.PushRuleKind;
import dev.myelin.server.storage.NotificationStore.Counts;
import dev.myelin.server.storage.NotificationStore.Delivery;
import dev.myelin.server.storage.NotificationStore.Notification;
import dev.myelin.server.storage.NotificationStore.ReadMark;
import dev.myelin.server.storage.PusherStore.Pusher;
import dev.myelin.server.storage.sql.SqlNotificationStore;
import dev.myelin.server.storage.sql.SqlPushRuleStore;
import dev.myelin.server.storage.sql.SqlPusherStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The push rule, notification and pusher stores on SQLite and PostgreSQL. */
class PushStoresTest extends StoreContractTest {
    private static final String BOB = "@bob:test.local";
    private static final String ROOM = "!room:test.local";

    static ArrayNode notifyAction() {
        return Json.MAPPER.createArrayNode().add("notify");
    }

    static Notification notification(String thread, String eventId, long pos, boolean highlight) {
        return new Notification(BOB, ROOM, thread, eventId, pos, highlight, notifyAction(), 1000 + pos);
    }

    @Test
    void countsFollowThreadedAndUnthreadedReadPositions() {
        var store = new SqlNotificationStore(database);
        assertThat(store.progress()).isZero();
        store.startProgressAt(2);
        store.startProgressAt(4);
        assertThat(store.progress()).isEqualTo(2);
        assertThat(store.record(10, List.of(notification("main", "$a", 3, false), notification("main", "$b", 5, true),
                notification("$root", "$c", 7, false)), List.of(), List.of(), 0)).containsExactly(BOB);
        assertThat(store.progress()).isEqualTo(10);
        long afterRecord = store.currentPosition();
        assertThat(store.roomsChanged(BOB, 0, afterRecord)).containsExactly(ROOM);
        assertThat(store.counts(BOB, ROOM)).isEqualTo(Map.of("main", new Counts(2, 1), "$root", new Counts(1, 0)));
        assertThat(store.unreadTotal(BOB)).isEqualTo(3);

        assertThat(store.readUpTo(new ReadMark(BOB, ROOM, "main", 5))).isTrue();
        assertThat(store.readUpTo(new ReadMark(BOB, ROOM, "main", 4))).isFalse();
        assertThat(store.roomsChanged(BOB, afterRecord, store.currentPosition())).containsExactly(ROOM);
        assertThat(store.counts(BOB, ROOM)).isEqualTo(Map.of("$root", new Counts(1, 0)));

        var listed = store.notifications(BOB, Long.MAX_VALUE, 10, false);
        assertThat(listed).extracting(NotificationStore.Listed::eventId).containsExactly("$c", "$b", "$a");
        assertThat(listed).extracting(NotificationStore.Listed::read).containsExactly(false, true, true);
        assertThat(store.notifications(BOB, Long.MAX_VALUE, 10, true)).extracting(NotificationStore.Listed::eventId)
                .containsExactly("$b");
        assertThat(store.notifications(BOB, listed.get(0).id(), 1, false)).extracting(NotificationStore.Listed::eventId)
                .containsExactly("$b");

        assertThat(store.readUpTo(new ReadMark(BOB, ROOM, NotificationStore.ALL_THREADS, 7))).isTrue();
        assertThat(store.counts(BOB, ROOM)).isEmpty();
        assertThat(store.unreadTotal(BOB)).isZero();

        // Progress survives a restart.
        assertThat(new SqlNotificationStore(reopen()).progress()).isEqualTo(10);
    }

    @Test
    void readMarksRecordedTogetherMoveOnlyPositionsTheyAdvance() {
        var store = new SqlNotificationStore(database);
        String other = "@carol:test.local";
        store.record(1, List.of(notification("main", "$a", 3, false), notification("main", "$b", 6, false)),
                List.of(), List.of(), 0);
        assertThat(store.readUpTo(new ReadMark(other, ROOM, "main", 9))).isTrue();

        // Two marks of Bob's in one batch (the higher wins), and one of Carol's behind her position.
        assertThat(store.record(2, List.of(), List.of(new ReadMark(BOB, ROOM, "main", 4),
                new ReadMark(BOB, ROOM, "main", 3), new ReadMark(other, ROOM, "main", 8)), List.of(), 0))
                .containsExactly(BOB);
        assertThat(store.counts(BOB, ROOM)).isEqualTo(Map.of("main", new Counts(1, 0)));
        assertThat(store.readUpTo(new ReadMark(other, ROOM, "main", 9))).isFalse();
    }

    @Test
    void pushersOfSeveralUsersAreReadTogether() {
        var pushers = new SqlPusherStore(database);
        ObjectNode data = Json.MAPPER.createObjectNode().put("url", "https://gw.example/_matrix/push/v1/notify");
        pushers.set(new Pusher(0, BOB, "DEV1", "http", "app", "key1", "App", "Phone", null, "en", data, 5), false);
        pushers.set(new Pusher(0, BOB, "DEV2", "http", "app", "key2", "App", "Tablet", null, "en", data, 6), false);
        pushers.set(new Pusher(0, "@carol:test.local", "DEV3", "http", "app", "key3", "App", "Phone", null, "en",
                data, 7), false);

        var read = pushers.pushers(List.of(BOB, "@carol:test.local", "@dave:test.local"));
        assertThat(read.keySet()).containsExactlyInAnyOrder(BOB, "@carol:test.local");
        assertThat(read.get(BOB)).extracting(Pusher::pushkey).containsExactly("key1", "key2");
        assertThat(read.get("@carol:test.local")).extracting(Pusher::pushkey).containsExactly("key3");
        assertThat(pushers.pushers(List.of())).isEmpty();
    }

    @Test
    void deliveriesAreDueOldestFirstPerPusherAndGoWithTheirPusher() {
        var pushers = new SqlPusherStore(database);
        var notifications = new SqlNotificationStore(database);
        ObjectNode data = Json.MAPPER.createObjectNode().put("url", "https://gw.example/_matrix/push/v1/notify");
        pushers.set(new Pusher(0, BOB, "DEV1", "http", "app", "key1", "App", "Phone", null, "en", data, 5), false);
        pushers.set(new Pusher(0, BOB, "DEV2", "http", "app", "key2", "App", "Tablet", "t", "en", data, 6), false);
        List<Pusher> set = pushers.pushers(BOB);
        assertThat(set).extracting(Pusher::pushkey).containsExactly("key1", "key2");
        long first = set.get(0).id();
        long second = set.get(1).id();
        notifications.record(1, List.of(), List.of(), List.of(new Delivery(first, "{\"event_id\":\"$1\"}", "{}"),
                new Delivery(first, "{\"event_id\":\"$2\"}", "{}"), new Delivery(second, "{\"event_id\":\"$1\"}",
                        "{\"highlight\":true}")), 100);
        var due = pushers.due(100, 10);
        assertThat(due).extracting(d -> d.notification().path("event_id").asText()).containsExactly("$1", "$1");
        assertThat(due.get(1).tweaks().path("highlight").asBoolean()).isTrue();
        assertThat(pushers.nextDue()).hasValue(100);

        pushers.retryLater(due.get(0).deliveryId(), 1, 200);
        assertThat(pushers.due(150, 10)).extracting(d -> d.pusher().pushkey()).containsExactly("key2");
        pushers.delivered(due.get(1).deliveryId());
        assertThat(pushers.due(150, 10)).isEmpty();
        assertThat(pushers.nextDue()).hasValue(200);
        var retried = pushers.due(200, 10);
        assertThat(retried).singleElement().satisfies(d -> assertThat(d.attempts()).isEqualTo(1));
        pushers.delivered(retried.getFirst().deliveryId());
        assertThat(pushers.due(200, 10)).extracting(d -> d.notification().path("event_id").asText())
                .containsExactly("$2");

        pushers.deleteOfDevices(BOB, List.of("DEV1"));
        assertThat(pushers.pushers(BOB)).extracting(Pusher::pushkey).containsExactly("key2");
        assertThat(pushers.due(Long.MAX_VALUE, 10)).isEmpty();
        assertThat(pushers.nextDue()).isEmpty();
        assertThat(pushers.delete(BOB, "app", "key2")).isTrue();
        assertThat(pushers.delete(BOB, "app", "key2")).isFalse();
    }

    @Test
    void ruleChangesMoveTheUserOnThePushRulesStream() {
        var rules = new SqlPushRuleStore(database);
        assertThat(rules.lastChange(BOB)).isEmpty();
        var rule = new PushRule(PushRuleKind.SENDER, "@spam:x", false, true, null, null, Json.MAPPER.createArrayNode());
        assertThat(rules.putRule(BOB, rule, PushRuleStore.Placement.FIRST)).isTrue();
        long first = rules.lastChange(BOB).orElseThrow();
        assertThat(rules.putRule(BOB, rule, new PushRuleStore.Placement("missing", null))).isFalse();
        assertThat(rules.lastChange(BOB)).hasValue(first);
        assertThat(rules.updateRule(BOB, PushRuleKind.SENDER, "@spam:x", false, null)).isTrue();
        rules.changeDefault(BOB, ".m.rule.master", true, null);
        rules.changeDefault(BOB, ".m.rule.master", null, notifyAction());
        var stored = rules.rules(BOB);
        assertThat(stored.rules().get(PushRuleKind.SENDER)).singleElement()
                .satisfies(r -> assertThat(r.enabled()).isFalse());
        assertThat(stored.changes().get(".m.rule.master").enabled()).isTrue();
        assertThat(stored.changes().get(".m.rule.master").actions()).isEqualTo(notifyAction());
        assertThat(rules.lastChange(BOB).orElseThrow()).isGreaterThan(first).isEqualTo(rules.currentPosition());
        assertThat(rules.deleteRule(BOB, PushRuleKind.SENDER, "@spam:x")).isTrue();
        assertThat(rules.deleteRule(BOB, PushRuleKind.SENDER, "@spam:x")).isFalse();
    }
}
