package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.myelin.server.federation.room.RemoteRoomReader.segment;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.User;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.createRoom;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.ok;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.register;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user of the second server paginating, with /messages, into the history a room had before their server joined
 * it: the joining server backfills from the resident server (one SQLite and one PostgreSQL server).
 */
class RemoteHistoryHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    static FederatedTestServer a;
    static FederatedTestServer b;

    @BeforeAll
    static void start() throws Exception {
        // The joining server on SQLite: there /messages reads in one read transaction, which must not hide what
        // its backfill stores.
        a = FederatedTestServer.start(Backend.POSTGRES, "registration.mode=open");
        b = FederatedTestServer.start(Backend.SQLITE, "registration.mode=open");
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static void join(User user, String roomId) {
        ok(user.client().request("POST", V3 + "/join/" + segment(roomId) + "?server_name=" + segment(a.serverName()),
                "{}", user.token()));
    }

    /** Every event /messages gives going back from {@code from} (null: the end), following "end" until it stops. */
    private static List<JsonNode> paginateBack(User user, String roomId, String from) {
        var events = new ArrayList<JsonNode>();
        String token = from;
        for (int page = 0; page < 50; page++) {
            JsonNode answer = ok(user.client().get(V3 + "/rooms/" + segment(roomId) + "/messages?dir=b&limit=7"
                    + (token == null ? "" : "&from=" + segment(token)), user.token()));
            answer.path("chunk").forEach(events::add);
            if (!answer.hasNonNull("end")) {
                return events;
            }
            token = answer.path("end").asText();
        }
        throw new AssertionError("pagination did not end");
    }

    private static List<String> bodies(List<JsonNode> events) {
        return events.stream().filter(e -> e.path("type").asText().equals("m.room.message"))
                .map(e -> e.path("content").path("body").asText()).toList();
    }

    @Test
    void paginatingBackPastTheJoinFetchesTheEarlierHistoryInOrderDownToTheCreateEvent() {
        User alice = register(a);
        User bob = register(b);
        String roomId = createRoom(alice, "public_chat");
        var sent = new ArrayList<String>();
        for (int i = 0; i < 20; i++) {
            sent.add(send(alice, roomId, "before " + i));
        }
        join(bob, roomId);
        String since = ok(bob.client().get(V3 + "/sync?timeout=0", bob.token())).path("next_batch").asText();

        List<JsonNode> events = paginateBack(bob, roomId, null);

        assertThat(bodies(events)).containsExactlyElementsOf(
                sent.reversed().stream().map(id -> "before " + sent.indexOf(id)).toList());
        assertThat(events.getLast().path("type").asText()).isEqualTo("m.room.create");
        assertThat(events).extracting(e -> e.path("event_id").asText()).doesNotHaveDuplicates();
        // History is not news: an incremental sync after the backfill has nothing for the room.
        JsonNode sync = ok(bob.client().get(V3 + "/sync?timeout=0&since=" + segment(since), bob.token()));
        assertThat(sync.path("rooms").path("join").path(roomId).path("timeline").path("events").size()).isZero();
        // A second pagination reads what is stored now, the same.
        assertThat(paginateBack(bob, roomId, null)).extracting(e -> e.path("event_id").asText())
                .isEqualTo(events.stream().map(e -> e.path("event_id").asText()).toList());

        // The context of a backfilled event.
        JsonNode context = ok(bob.client().get(V3 + "/rooms/" + segment(roomId) + "/context/"
                + segment(sent.get(10)) + "?limit=4", bob.token()));
        assertThat(context.path("event").path("content").path("body").asText()).isEqualTo("before 10");
        assertThat(bodies(List.copyOf(context.path("events_before").valueStream().toList())))
                .containsExactly("before 9", "before 8");
        assertThat(bodies(List.copyOf(context.path("events_after").valueStream().toList())))
                .containsExactly("before 11", "before 12");
        JsonNode fromContext = ok(bob.client().get(V3 + "/rooms/" + segment(roomId) + "/messages?dir=b&limit=2&from="
                + segment(context.path("start").asText()), bob.token()));
        assertThat(bodies(List.copyOf(fromContext.path("chunk").valueStream().toList())))
                .containsExactly("before 7", "before 6");
    }

    @Test
    void historyOnlyMembersCouldSeeStaysHidden() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String roomId = ok(alice.client().request("POST", V3 + "/createRoom", """
                {"preset":"public_chat","initial_state":[{"type":"m.room.history_visibility","state_key":"",
                "content":{"history_visibility":"joined"}}]}""", alice.token())).path("room_id").asText();
        send(alice, roomId, "members only");
        join(bob, roomId);
        String after = send(alice, roomId, "after the join");
        RoomFederationHttpTest.eventually(() -> RoomFederationHttpTest.hasEvent(b, after), "the message at b");

        List<JsonNode> events = paginateBack(bob, roomId, null);

        assertThat(bodies(events)).containsExactly("after the join");
        assertThat(events).extracting(e -> e.path("event_id").asText()).contains(after);
    }
}
