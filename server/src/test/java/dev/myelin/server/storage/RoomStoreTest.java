package dev.myelin.server.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.storage.RoomStore.TxnKey;
import dev.myelin.server.storage.sql.Jdbc;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.LocalEventFactory;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomStoreTest extends StoreContractTest {
    private static final String ALICE = "@alice:test.local";
    private static final LocalEventFactory FACTORY =
            new LocalEventFactory("test.local", SigningKey.generate("ed25519:t", new SecureRandom()));

    /** Builds a linear chain of unauthorized but well-formed v12 events. */
    private static final class Chain {
        String roomId;
        String last;
        /** prev_events of the next event besides {@code last}. */
        List<String> alsoAfter = List.of();
        long depth;

        EncodedPdu event(String type, String stateKey, ObjectNode content) {
            ObjectNode draft = Json.MAPPER.createObjectNode();
            draft.put("type", type);
            if (stateKey != null) {
                draft.put("state_key", stateKey);
            }
            draft.put("sender", ALICE);
            draft.set("content", content);
            draft.put("depth", ++depth);
            draft.put("origin_server_ts", 1_700_000_000_000L + depth);
            var prev = draft.putArray("prev_events");
            draft.putArray("auth_events");
            if (roomId != null) {
                draft.put("room_id", roomId);
                prev.add(last);
                alsoAfter.forEach(prev::add);
                alsoAfter = List.of();
            }
            EncodedPdu encoded = FACTORY.create(draft, RoomVersion.V12);
            if (roomId == null) {
                roomId = encoded.pdu().roomId();
            }
            last = encoded.eventId();
            return encoded;
        }

        EncodedPdu create() {
            return event("m.room.create", "", Json.MAPPER.createObjectNode().put("room_version", "12"));
        }

        EncodedPdu member(String user, String membership) {
            return event("m.room.member", user, Json.MAPPER.createObjectNode().put("membership", membership));
        }

        EncodedPdu message(String body) {
            return event("m.room.message", null, Json.MAPPER.createObjectNode().put("msgtype", "m.text").put("body", body));
        }
    }

    private RoomStore store() {
        return new SqlRoomStore(database);
    }

    private static Map<StateKey, String> ids(Map<StateKey, StoredEvent> state) {
        var ids = new HashMap<StateKey, String>();
        state.forEach((k, v) -> ids.put(k, v.eventId()));
        return ids;
    }

    private RoomStore.Persisted persist(RoomStore store, Chain chain, EncodedPdu... events) {
        return store.persist(chain.roomId, "12", ALICE, List.of(events), Map.of());
    }

    @Test
    void aRoomStartsWithItsCreateEventAndKeepsTheOriginalBytes() {
        var chain = new Chain();
        EncodedPdu create = chain.create();
        EncodedPdu join = chain.member(ALICE, "join");
        EncodedPdu message = chain.message("hello");
        var persisted = persist(store(), chain, create, join, message);

        var room = store().room(chain.roomId).orElseThrow();
        assertThat(room.version()).isEqualTo("12");
        assertThat(room.creator()).isEqualTo(ALICE);
        assertThat(persisted.events()).extracting(StoredEvent::streamPos).containsExactly(1L, 2L, 3L);
        assertThat(store().event(message.eventId()).orElseThrow().json()).isEqualTo(message.bytes());
        assertThat(ids(store().state(room.currentSnapshot()))).isEqualTo(Map.of(
                new StateKey("m.room.create", ""), create.eventId(),
                new StateKey("m.room.member", ALICE), join.eventId()));
        assertThat(store().forwardExtremities(room.nid())).containsExactly(message.eventId());
        var stored = store().event(message.eventId()).orElseThrow();
        assertThat(stored.stateBefore()).isEqualTo(room.currentSnapshot());
        assertThat(store().event(create.eventId()).orElseThrow().stateBefore()).isZero();
        assertThat(store().membership(chain.roomId, ALICE).orElseThrow().membership()).isEqualTo("join");
        assertThat(store().currentStreamPos()).isEqualTo(3);
    }

    @Test
    void theRoomsEndHasEveryForkUntilAnEventFollowsThem() {
        forksMergeAtTheRoomsEnd(false);
    }

    @Test
    void eventsAppendedAfterAKnownEndMoveItAsStoredOnes() {
        forksMergeAtTheRoomsEnd(true);
    }

    /** Persists events of a forked room, after its end as read ({@code known}) or as the store finds it. */
    private void forksMergeAtTheRoomsEnd(boolean known) {
        var chain = new Chain();
        EncodedPdu create = chain.create();
        EncodedPdu join = chain.member(ALICE, "join");
        persist(store(), chain, create, join);
        EncodedPdu left = chain.message("left");
        chain.last = join.eventId();
        EncodedPdu right = chain.message("right");
        persistAtEnd(known, chain, left);
        persistAtEnd(known, chain, right);

        RoomStore.RoomEnd forked = store().roomEnd(chain.roomId).orElseThrow();
        assertThat(forked.room().roomId()).isEqualTo(chain.roomId);
        assertThat(forked.extremities().eventIds()).containsExactly(left.eventId(), right.eventId());
        assertThat(forked.extremities().depth()).isEqualTo(right.pdu().depth());

        // The first prev event is no extremity: the second's row goes, and the event gets a row of its own.
        chain.last = join.eventId();
        chain.alsoAfter = List.of(left.eventId());
        EncodedPdu afterLeft = chain.message("after left");
        persistAtEnd(known, chain, afterLeft);
        assertThat(store().roomEnd(chain.roomId).orElseThrow().extremities().eventIds())
                .containsExactlyInAnyOrder(right.eventId(), afterLeft.eventId());

        chain.alsoAfter = List.of(right.eventId());
        EncodedPdu merge = chain.message("merge");
        persistAtEnd(known, chain, merge);
        RoomStore.RoomEnd merged = store().roomEnd(chain.roomId).orElseThrow();
        assertThat(merged.extremities().eventIds()).containsExactly(merge.eventId());
        assertThat(merged.extremities().depth()).isEqualTo(merge.pdu().depth());
        assertThat(store().roomEnd("!unknown:test.local")).isEmpty();
    }

    private void persistAtEnd(boolean known, Chain chain, EncodedPdu event) {
        if (known) {
            store().persist(store().roomEnd(chain.roomId).orElseThrow(), List.of(event), Map.of());
        } else {
            persist(store(), chain, event);
        }
    }

    @Test
    void theEndASendLeftIsKnownUntilAnotherWriteToTheRoom() {
        RoomStore store = store();
        var chain = new Chain();
        persist(store, chain, chain.create(), chain.member(ALICE, "join"));
        EncodedPdu first = chain.message("first");
        store.persist(store.roomEnd(chain.roomId).orElseThrow(), List.of(first), Map.of());

        RoomStore.RoomEnd known = store.roomEnd(chain.roomId).orElseThrow();
        assertThat(known).isEqualTo(store().roomEnd(chain.roomId).orElseThrow());
        assertThat(known.extremities().eventIds()).containsExactly(first.eventId());

        store.setPublished(chain.roomId, true);
        assertThat(store.roomEnd(chain.roomId).orElseThrow().room().published()).isTrue();
        EncodedPdu second = chain.message("second");
        persist(store, chain, second);
        assertThat(store.roomEnd(chain.roomId).orElseThrow().extremities().eventIds())
                .containsExactly(second.eventId());
    }

    @Test
    void aReusedTransactionIdFailsTheSendAndTheRoomsEndIsReadAgain() {
        RoomStore store = store();
        var chain = new Chain();
        persist(store, chain, chain.create(), chain.member(ALICE, "join"));
        var txn = new TxnKey(ALICE, "DEV", "send", "t1");
        EncodedPdu first = chain.message("one");
        store.persist(store.roomEnd(chain.roomId).orElseThrow(), List.of(first), Map.of(first.eventId(), txn));
        EncodedPdu second = chain.message("two");

        assertThatThrownBy(() -> store.persist(store.roomEnd(chain.roomId).orElseThrow(), List.of(second),
                Map.of(second.eventId(), txn))).isInstanceOf(RoomStore.DuplicateTransactionException.class);
        assertThat(store.sentBefore(List.of(txn))).isEqualTo(Map.of(txn, first.eventId()));
        assertThat(store.roomEnd(chain.roomId).orElseThrow().extremities().eventIds())
                .containsExactly(first.eventId());
        assertThat(store.event(second.eventId())).isEmpty();
    }

    @Test
    void sendsToManyRoomsAtOnceAreEachStoredAfterTheirRoomsEnd() throws Exception {
        RoomStore store = store();
        var chains = new ArrayList<Chain>();
        for (int i = 0; i < 12; i++) {
            var chain = new Chain();
            EncodedPdu create = chain.event("m.room.create", "",
                    Json.MAPPER.createObjectNode().put("room_version", "12").put("test_room", i));
            persist(store, chain, create, chain.member(ALICE, "join"));
            chains.add(chain);
        }
        var messages = new java.util.concurrent.ConcurrentHashMap<String, EncodedPdu>();
        var senders = new ArrayList<Thread>();
        for (Chain chain : chains) {
            EncodedPdu message = chain.message("to " + chain.roomId);
            var txn = new TxnKey(ALICE, "DEV", "send", chain.roomId);
            senders.add(Thread.ofVirtual().start(() -> {
                RoomStore.RoomEnd end = store.roomEnd(chain.roomId).orElseThrow();
                store.persist(end, List.of(message), Map.of(message.eventId(), txn));
                messages.put(chain.roomId, message);
            }));
        }
        for (Thread sender : senders) {
            sender.join();
        }

        assertThat(messages).hasSize(chains.size());
        var positions = new java.util.HashSet<Long>();
        for (Chain chain : chains) {
            EncodedPdu message = messages.get(chain.roomId);
            var end = store.roomEnd(chain.roomId).orElseThrow();
            assertThat(end.extremities().eventIds()).containsExactly(message.eventId());
            assertThat(store.sentBefore(List.of(new TxnKey(ALICE, "DEV", "send", chain.roomId))))
                    .containsValue(message.eventId());
            StoredEvent stored = store.event(message.eventId()).orElseThrow();
            assertThat(stored.stateBefore()).isEqualTo(end.room().currentSnapshot());
            positions.add(stored.streamPos());
        }
        assertThat(positions).hasSize(chains.size());
        assertThat(store.currentStreamPos()).isEqualTo(2L * chains.size() + chains.size());
    }

    @Test
    void aRestartedServerReadsAndNumbersEventsOnFromTheHighestStored() {
        var chain = new Chain();
        persist(store(), chain, chain.create(), chain.member(ALICE, "join"), chain.message("before"));
        reopen();

        assertThat(store().currentStreamPos()).isEqualTo(3);
        var after = persist(store(), chain, chain.message("after"));
        assertThat(after.lastStreamPos()).isEqualTo(4);
        assertThat(store().currentStreamPos()).isEqualTo(4);
    }

    @Test
    void roomsAndEventsAreReadManyAtATime() {
        var first = new Chain();
        var persistedFirst = persist(store(), first, first.create(), first.member(ALICE, "join"), first.message("a"));
        var second = new Chain();
        persist(store(), second, second.event("m.room.create", "",
                Json.MAPPER.createObjectNode().put("room_version", "12").put("m.federate", false)));

        var rooms = store().rooms(List.of(first.roomId, second.roomId, "!unknown:test.local"));
        assertThat(rooms.keySet()).containsExactlyInAnyOrder(first.roomId, second.roomId);
        assertThat(rooms.get(first.roomId).nid()).isEqualTo(store().room(first.roomId).orElseThrow().nid());
        assertThat(store().rooms(List.of())).isEmpty();

        var nids = persistedFirst.events().stream().map(StoredEvent::nid).toList();
        var events = store().events(List.of(nids.get(0), nids.get(2), 999_999L));
        assertThat(events.keySet()).containsExactlyInAnyOrder(nids.get(0), nids.get(2));
        assertThat(events.get(nids.get(2)).eventId()).isEqualTo(persistedFirst.events().get(2).eventId());
        assertThat(events.get(nids.get(2)).json()).isEqualTo(store().event(nids.get(2)).orElseThrow().json());
    }

    @Test
    void anEventOfAnUnknownRoomThatIsNotACreateEventIsRefused() {
        var chain = new Chain();
        chain.create();
        EncodedPdu join = chain.member(ALICE, "join");
        assertThatThrownBy(() -> persist(store(), chain, join)).isInstanceOf(IllegalStateException.class);
        assertThat(store().event(join.eventId())).isEmpty();
    }

    @Test
    void snapshotsAreBoundedDeltaChainsThatReadBackEveryIntermediateState() {
        RoomStore store = new SqlRoomStore(database, 3);
        var chain = new Chain();
        var expected = new HashMap<StateKey, String>();
        var snapshots = new ArrayList<Long>();
        var expectedAt = new ArrayList<Map<StateKey, String>>();
        EncodedPdu create = chain.create();
        persist(store, chain, create);
        expected.put(new StateKey("m.room.create", ""), create.eventId());
        for (int i = 0; i < 20; i++) {
            String user = "@u" + (i % 7) + ":test.local";
            EncodedPdu member = chain.member(user, i % 2 == 0 ? "join" : "leave");
            var persisted = persist(store, chain, member, chain.message("m" + i));
            expected.put(new StateKey("m.room.member", user), member.eventId());
            snapshots.add(persisted.room().currentSnapshot());
            expectedAt.add(Map.copyOf(expected));
        }
        for (int i = 0; i < snapshots.size(); i++) {
            assertThat(ids(store.state(snapshots.get(i)))).as("snapshot %d", i).isEqualTo(expectedAt.get(i));
        }
        int longest = database.read(c -> Jdbc.queryOne(c, "SELECT MAX(chain_length) FROM state_snapshots",
                row -> row.getInt(1)).orElseThrow());
        assertThat(longest).isLessThan(3);
        long rows = database.read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM state_snapshot_entries",
                row -> row.getLong(1)).orElseThrow());
        assertThat(rows).as("deltas, not 21 full copies").isLessThan(21L * 4);
    }

    @Test
    void aBigRoomRebasesLongChainsOnTheirRootInsteadOfCopyingItsState() {
        RoomStore store = new SqlRoomStore(database, 4);
        var chain = new Chain();
        EncodedPdu create = chain.create();
        var members = new ArrayList<EncodedPdu>();
        members.add(create);
        for (int i = 0; i < 40; i++) {
            members.add(chain.member("@m" + i + ":test.local", "join"));
        }
        persist(store, chain, members.toArray(EncodedPdu[]::new));
        var expected = new HashMap<StateKey, String>();
        members.forEach(m -> expected.put(new StateKey(m.pdu().type(), m.pdu().stateKey()), m.eventId()));
        long fullBefore = fullSnapshots();
        long rowsBefore = entryRows();
        var snapshots = new ArrayList<Long>();
        var expectedAt = new ArrayList<Map<StateKey, String>>();
        for (int i = 0; i < 30; i++) {
            String user = "@m" + (i % 5) + ":test.local";
            EncodedPdu change = chain.member(user, i % 2 == 0 ? "leave" : "join");
            snapshots.add(persist(store, chain, change).room().currentSnapshot());
            expected.put(new StateKey("m.room.member", user), change.eventId());
            expectedAt.add(Map.copyOf(expected));
        }
        for (int i = 0; i < snapshots.size(); i++) {
            assertThat(ids(store.state(snapshots.get(i)))).as("snapshot %d", i).isEqualTo(expectedAt.get(i));
        }
        // Without rebasing, 30 changes with chains of 4 would copy all 41 entries about 8 times.
        assertThat(fullSnapshots() - fullBefore).as("full copies while 5 of 41 entries change").isLessThanOrEqualTo(1);
        assertThat(entryRows() - rowsBefore).isLessThan(150);
        int longest = database.read(c -> Jdbc.queryOne(c, "SELECT MAX(chain_length) FROM state_snapshots",
                row -> row.getInt(1)).orElseThrow());
        assertThat(longest).isLessThan(4);
    }

    private long entryRows() {
        return database.read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM state_snapshot_entries",
                row -> row.getLong(1)).orElseThrow());
    }

    private long fullSnapshots() {
        return database.read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM state_snapshots WHERE parent_nid IS NULL",
                row -> row.getLong(1)).orElseThrow());
    }

    @Test
    void selectedEntriesAndEntriesOfATypeAreLookedUpWithoutTheWholeState() {
        var chain = new Chain();
        EncodedPdu create = chain.create();
        EncodedPdu alice = chain.member(ALICE, "join");
        EncodedPdu bob = chain.member("@bob:test.local", "invite");
        EncodedPdu name = chain.event("m.room.name", "", Json.MAPPER.createObjectNode().put("name", "Room"));
        long snapshot = persist(store(), chain, create, alice, bob, name).room().currentSnapshot();

        assertThat(ids(store().state(snapshot, List.of(new StateKey("m.room.name", ""),
                new StateKey("m.room.member", "@bob:test.local"), new StateKey("m.room.topic", "")))))
                .isEqualTo(Map.of(new StateKey("m.room.name", ""), name.eventId(),
                        new StateKey("m.room.member", "@bob:test.local"), bob.eventId()));
        assertThat(store().stateOfTypes(snapshot, Set.of("m.room.member")).keySet()).containsExactlyInAnyOrder(
                new StateKey("m.room.member", ALICE), new StateKey("m.room.member", "@bob:test.local"));
        assertThat(store().members(chain.roomId, "invite")).extracting(RoomStore.Membership::userId)
                .containsExactly("@bob:test.local");
    }

    @Test
    void aTransactionIdIsRecordedOnceAndADuplicateWritesNothing() {
        var chain = new Chain();
        persist(store(), chain, chain.create(), chain.member(ALICE, "join"));
        var txn = new TxnKey(ALICE, "DEV", "send", "t1");
        EncodedPdu first = chain.message("one");
        store().persist(chain.roomId, "12", ALICE, List.of(first), Map.of(first.eventId(), txn));
        EncodedPdu second = chain.message("two");

        assertThatThrownBy(() -> store().persist(chain.roomId, "12", ALICE, List.of(second), Map.of(second.eventId(), txn)))
                .isInstanceOf(RoomStore.DuplicateTransactionException.class);
        var otherScope = new TxnKey(ALICE, "DEV", "redact", "t1");
        var otherDevice = new TxnKey(ALICE, "OTHER", "send", "t1");
        assertThat(store().sentBefore(List.of(otherScope, txn, otherDevice))).isEqualTo(Map.of(txn, first.eventId()));
        assertThat(store().txnOf(first.eventId())).contains(txn);
        assertThat(store().event(second.eventId())).isEmpty();
        assertThat(store().currentStreamPos()).isEqualTo(3);
    }

    @Test
    void theTimelineIsReadBothWaysByStreamPosition() {
        var chain = new Chain();
        persist(store(), chain, chain.create(), chain.member(ALICE, "join"));
        var messages = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            EncodedPdu m = chain.message("m" + i);
            persist(store(), chain, m);
            messages.add(m.eventId());
        }
        long roomNid = store().room(chain.roomId).orElseThrow().nid();

        assertThat(store().timeline(roomNid, 7, 0, true, 3)).extracting(StoredEvent::eventId)
                .containsExactly(messages.get(4), messages.get(3), messages.get(2));
        assertThat(store().timeline(roomNid, 2, Long.MAX_VALUE, false, 2)).extracting(StoredEvent::eventId)
                .containsExactly(messages.get(0), messages.get(1));
        assertThat(store().timeline(roomNid, 7, 5, true, 10)).extracting(StoredEvent::eventId)
                .containsExactly(messages.get(4), messages.get(3));
    }

    @Test
    void aRedactionMarksItsTargetAndForgettingNeedsALeave() {
        var chain = new Chain();
        persist(store(), chain, chain.create(), chain.member(ALICE, "join"));
        EncodedPdu message = chain.message("secret");
        EncodedPdu redaction = chain.event("m.room.redaction", null,
                Json.MAPPER.createObjectNode().put("redacts", message.eventId()));
        persist(store(), chain, message, redaction);

        assertThat(store().event(message.eventId()).orElseThrow().redactedBy()).isEqualTo(redaction.eventId());
        assertThat(store().forget(chain.roomId, ALICE)).isFalse();
        persist(store(), chain, chain.member(ALICE, "leave"));
        assertThat(store().forget(chain.roomId, ALICE)).isTrue();
        assertThat(store().membershipsOf(ALICE)).singleElement().satisfies(m -> {
            assertThat(m.membership()).isEqualTo("leave");
            assertThat(m.forgotten()).isTrue();
        });
    }

    @Test
    void aliasesAndThePublishedDirectory() {
        var chain = new Chain();
        persist(store(), chain, chain.create());
        assertThat(store().createAlias("#a:test.local", chain.roomId, ALICE)).isTrue();
        assertThat(store().createAlias("#a:test.local", "!other:test.local", ALICE)).isFalse();
        assertThat(store().aliasRoom("#a:test.local")).contains(chain.roomId);
        assertThat(store().aliasesOf(chain.roomId)).containsExactly("#a:test.local");
        assertThat(store().deleteAlias("#a:test.local")).isTrue();
        assertThat(store().aliasRoom("#a:test.local")).isEmpty();
        store().setPublished(chain.roomId, true);
        assertThat(store().publishedRooms()).extracting(RoomStore.Room::roomId).containsExactly(chain.roomId);
    }
}
