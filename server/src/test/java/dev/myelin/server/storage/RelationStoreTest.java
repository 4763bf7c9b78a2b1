package dev.myelin.server.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.RelationStore.ThreadSummary;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.storage.sql.SqlRelationStore;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.LocalEventFactory;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RelationStoreTest extends StoreContractTest {
    private static final String ALICE = "@alice:test.local";
    private static final String BOB = "@bob:test.local";
    private static final LocalEventFactory FACTORY =
            new LocalEventFactory("test.local", SigningKey.generate("ed25519:t", new SecureRandom()));

    /** A linear chain of well-formed (unauthorized) v12 events with chosen senders and timestamps. */
    private static final class Chain {
        String roomId;
        String last;
        long depth;
        long ts = 1_700_000_000_000L;

        EncodedPdu event(String sender, String type, String stateKey, ObjectNode content) {
            ObjectNode draft = Json.MAPPER.createObjectNode();
            draft.put("type", type);
            if (stateKey != null) {
                draft.put("state_key", stateKey);
            }
            draft.put("sender", sender);
            draft.set("content", content);
            draft.put("depth", ++depth);
            draft.put("origin_server_ts", ts += 1000);
            var prev = draft.putArray("prev_events");
            draft.putArray("auth_events");
            if (roomId != null) {
                draft.put("room_id", roomId);
                prev.add(last);
            }
            EncodedPdu encoded = FACTORY.create(draft, RoomVersion.V12);
            if (roomId == null) {
                roomId = encoded.pdu().roomId();
            }
            last = encoded.eventId();
            return encoded;
        }

        EncodedPdu create() {
            return event(ALICE, "m.room.create", "", Json.MAPPER.createObjectNode().put("room_version", "12"));
        }

        EncodedPdu message(String sender, String body) {
            return event(sender, "m.room.message", null, Json.MAPPER.createObjectNode().put("body", body));
        }

        EncodedPdu child(String sender, String type, String relType, String parent, String key) {
            ObjectNode content = Json.MAPPER.createObjectNode().put("body", relType);
            ObjectNode relatesTo = content.putObject("m.relates_to").put("rel_type", relType).put("event_id", parent);
            if (key != null) {
                relatesTo.put("key", key);
            }
            return event(sender, type, null, content);
        }

        EncodedPdu redaction(String sender, String target) {
            return event(sender, "m.room.redaction", null, Json.MAPPER.createObjectNode().put("redacts", target));
        }
    }

    private SqlRoomStore rooms() {
        return new SqlRoomStore(database);
    }

    private RelationStore relations() {
        return new SqlRelationStore(database);
    }

    private long persist(Chain chain, EncodedPdu... events) {
        rooms().persist(chain.roomId, "12", ALICE, List.of(events), Map.of());
        return rooms().room(chain.roomId).orElseThrow().nid();
    }

    private static List<String> ids(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::eventId).toList();
    }

    @Test
    void childrenAreIndexedOnPersistAndPaginateByStreamPosition() {
        var chain = new Chain();
        EncodedPdu create = chain.create();
        EncodedPdu parent = chain.message(ALICE, "parent");
        EncodedPdu like = chain.child(BOB, "m.reaction", "m.annotation", parent.eventId(), "👍");
        EncodedPdu edit = chain.child(ALICE, "m.room.message", "m.replace", parent.eventId(), null);
        EncodedPdu reply = chain.message(BOB, "a plain message relates to nothing");
        EncodedPdu ref = chain.child(BOB, "m.room.message", "m.reference", parent.eventId(), null);
        long room = persist(chain, create, parent, like, edit, reply, ref);
        RelationStore relations = relations();

        assertThat(ids(relations.children(room, List.of(parent.eventId()), null, null, Long.MAX_VALUE, 0, true, 10)))
                .containsExactly(ref.eventId(), edit.eventId(), like.eventId());
        assertThat(ids(relations.children(room, List.of(parent.eventId()), null, null, 0, Long.MAX_VALUE, false, 2)))
                .containsExactly(like.eventId(), edit.eventId());
        long editPos = rooms().event(edit.eventId()).orElseThrow().streamPos();
        assertThat(ids(relations.children(room, List.of(parent.eventId()), null, null, editPos - 1, 0, true, 10)))
                .containsExactly(like.eventId());
        assertThat(ids(relations.children(room, List.of(parent.eventId()), "m.annotation", "m.reaction",
                Long.MAX_VALUE, 0, true, 10))).containsExactly(like.eventId());
        assertThat(relations.children(room, List.of(parent.eventId()), "m.annotation", "m.room.message",
                Long.MAX_VALUE, 0, true, 10)).isEmpty();
        assertThat(relations.relationOf(reply.eventId())).isEmpty();
        var relation = relations.relationOf(edit.eventId()).orElseThrow();
        assertThat(relation.parentId()).isEqualTo(parent.eventId());
        assertThat(relation.relType()).isEqualTo("m.replace");
        assertThat(relation.sender()).isEqualTo(ALICE);
        assertThat(relation.originServerTs()).isEqualTo(edit.pdu().originServerTs());
        assertThat(relations.relationsTo(room, Set.of(parent.eventId()), "m.replace"))
                .extracting(RelationStore.Relation::eventId).containsExactly(edit.eventId());
        assertThat(relations.relationsTo(room, Set.of(parent.eventId()), null)).hasSize(3);
        assertThat(relations.hasAnnotation(room, parent.eventId(), BOB, "m.reaction", "👍")).isTrue();
        assertThat(relations.hasAnnotation(room, parent.eventId(), ALICE, "m.reaction", "👍")).isFalse();

        // A redacted child no longer relates; another room's children are never returned.
        persist(chain, chain.redaction(BOB, like.eventId()));
        assertThat(relations.hasAnnotation(room, parent.eventId(), BOB, "m.reaction", "👍")).isFalse();
        assertThat(relations.relationsTo(room, Set.of(parent.eventId()), null)).hasSize(2);
        var other = new Chain();
        other.ts += 7;
        long otherRoom = persist(other, other.create(), other.child(BOB, "m.reaction", "m.annotation",
                parent.eventId(), "x"));
        assertThat(relations.relationsTo(room, Set.of(parent.eventId()), "m.annotation")).isEmpty();
        assertThat(relations.relationsTo(otherRoom, Set.of(parent.eventId()), "m.annotation")).hasSize(1);
    }

    @Test
    void relTypesOfNamesTheAskedTypesEachParentHasChildrenOfInTheRoom() {
        var chain = new Chain();
        EncodedPdu create = chain.create();
        EncodedPdu edited = chain.message(ALICE, "edited");
        EncodedPdu plain = chain.message(BOB, "plain");
        EncodedPdu threaded = chain.message(BOB, "threaded");
        EncodedPdu edit = chain.child(ALICE, "m.room.message", "m.replace", edited.eventId(), null);
        EncodedPdu like = chain.child(BOB, "m.reaction", "m.annotation", edited.eventId(), "x");
        EncodedPdu reply = chain.child(ALICE, "m.room.message", "m.thread", threaded.eventId(), null);
        EncodedPdu ref = chain.child(BOB, "m.room.message", "m.reference", threaded.eventId(), null);
        long room = persist(chain, create, edited, plain, threaded, edit, like, reply, ref);
        RelationStore relations = relations();
        List<String> parents = List.of(edited.eventId(), plain.eventId(), threaded.eventId());

        assertThat(relations.relTypesOf(room, parents, List.of("m.replace", "m.reference", "m.thread")))
                .isEqualTo(Map.of(edited.eventId(), Set.of("m.replace"),
                        threaded.eventId(), Set.of("m.thread", "m.reference")));
        assertThat(relations.relTypesOf(room, parents, List.of("m.annotation")))
                .isEqualTo(Map.of(edited.eventId(), Set.of("m.annotation")));
        assertThat(relations.relTypesOf(room, List.of(plain.eventId()), List.of("m.replace", "m.thread"))).isEmpty();

        // A redacted child no longer counts; children in another room are not this room's.
        persist(chain, chain.redaction(ALICE, edit.eventId()));
        assertThat(relations.relTypesOf(room, parents, List.of("m.replace"))).isEmpty();
        var other = new Chain();
        other.ts += 7;
        long otherRoom = persist(other, other.create(), other.child(BOB, "m.room.message", "m.replace",
                plain.eventId(), null));
        assertThat(relations.relTypesOf(room, parents, List.of("m.replace"))).isEmpty();
        assertThat(relations.relTypesOf(otherRoom, parents, List.of("m.replace")))
                .isEqualTo(Map.of(plain.eventId(), Set.of("m.replace")));
    }

    @Test
    void threadSummariesAndRootsByLatestActivity() {
        var chain = new Chain();
        EncodedPdu create = chain.create();
        EncodedPdu first = chain.message(ALICE, "first");
        EncodedPdu second = chain.message(BOB, "second");
        EncodedPdu a = chain.child(BOB, "m.room.message", "m.thread", first.eventId(), null);
        EncodedPdu b = chain.child(ALICE, "m.room.message", "m.thread", second.eventId(), null);
        EncodedPdu c = chain.child(BOB, "m.room.message", "m.thread", first.eventId(), null);
        long room = persist(chain, create, first, second, a, b, c);
        RelationStore relations = relations();

        Map<String, ThreadSummary> threads = relations.threads(room,
                List.of(first.eventId(), second.eventId(), create.eventId()), ALICE, Set.of());
        assertThat(threads).containsOnlyKeys(first.eventId(), second.eventId());
        assertThat(threads.get(first.eventId())).isEqualTo(new ThreadSummary(first.eventId(), 2, c.eventId(), false));
        assertThat(threads.get(second.eventId())).isEqualTo(new ThreadSummary(second.eventId(), 1, b.eventId(), true));
        assertThat(relations.threads(room, List.of(first.eventId()), ALICE, Set.of(BOB))).isEmpty();

        var roots = relations.threadRoots(room, Long.MAX_VALUE, 10);
        assertThat(roots).extracting(RelationStore.ThreadRoot::rootId).containsExactly(first.eventId(), second.eventId());
        assertThat(relations.threadRoots(room, roots.get(0).latestPos(), 10))
                .extracting(RelationStore.ThreadRoot::rootId).containsExactly(second.eventId());
    }

    @Test
    void closestEventByTimestamp() {
        var chain = new Chain();
        EncodedPdu create = chain.create();
        EncodedPdu one = chain.message(ALICE, "one");
        EncodedPdu two = chain.message(ALICE, "two");
        long room = persist(chain, create, one, two);
        long between = one.pdu().originServerTs() + 1;
        assertThat(ids(rooms().closestByTimestamp(room, between, false, 1))).containsExactly(one.eventId());
        assertThat(ids(rooms().closestByTimestamp(room, between, true, 5))).containsExactly(two.eventId());
        assertThat(ids(rooms().closestByTimestamp(room, one.pdu().originServerTs(), true, 1)))
                .containsExactly(one.eventId());
        assertThat(rooms().closestByTimestamp(room, two.pdu().originServerTs() + 1, true, 5)).isEmpty();
    }
}
