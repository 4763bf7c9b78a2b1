package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.client.FeatureHttpSupport.User;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static dev.myelin.server.client.FeatureHttpSupport.enc;
import static dev.myelin.server.client.FeatureHttpSupport.error;
import static dev.myelin.server.client.FeatureHttpSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /search over HTTP: full-text matches, access, ordering, paging, context, state, groupings. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class SearchHttpTest {
    @Parameter
    Backend backend;

    static TestHomeserver server;
    static FeatureHttpSupport http;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open");
        http = new FeatureHttpSupport(server.client());
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static JsonNode search(User user, String criteria) {
        return ok(http.post(user, "/search", "{\"search_categories\":{\"room_events\":" + criteria + "}}"))
                .path("search_categories").path("room_events");
    }

    static JsonNode search(User user, String criteria, String nextBatch) {
        return ok(http.post(user, "/search?next_batch=" + enc(nextBatch),
                "{\"search_categories\":{\"room_events\":" + criteria + "}}"))
                .path("search_categories").path("room_events");
    }

    static List<String> bodies(JsonNode roomEvents) {
        var out = new ArrayList<String>();
        roomEvents.path("results").forEach(r -> out.add(r.path("result").path("content").path("body").asText()));
        return out;
    }

    static String tag() {
        return "w" + Long.toString(System.nanoTime() % 10_000_000, 36);
    }

    @Test
    void findsMessagesOnlyInRoomsTheUserMaySee() {
        String tag = tag();
        User alice = http.newUser();
        User bob = http.newUser();
        User eve = http.newUser();
        String room = http.createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Garden " + tag + "\"}");
        http.join(bob, room);
        http.sendText(alice, room, "the roses are blooming " + tag);
        http.sendText(bob, room, "tulips bloomed early " + tag);
        http.sendText(alice, room, "nothing to see here");
        String secret = http.createRoom(eve, "{\"preset\":\"private_chat\"}");
        http.sendText(eve, secret, "secret roses " + tag);

        JsonNode found = search(bob, "{\"search_term\":\"roses " + tag + "\"}");
        assertThat(bodies(found)).containsExactly("the roses are blooming " + tag);
        assertThat(found.path("count").asInt()).isEqualTo(1);
        assertThat(found.path("highlights").toString()).contains("roses");
        JsonNode result = found.path("results").get(0);
        assertThat(result.path("rank").isNumber()).isTrue();
        assertThat(result.path("result").path("room_id").asText()).isEqualTo(room);
        assertThat(result.path("result").path("sender").asText()).isEqualTo(alice.id());
        // Stemming: "bloom" finds "blooming" and "bloomed".
        assertThat(bodies(search(bob, "{\"search_term\":\"bloom " + tag + "\"}"))).hasSize(2);
        // Room names and topics, by key.
        JsonNode names = search(bob, "{\"search_term\":\"garden " + tag + "\",\"keys\":[\"content.name\"]}");
        assertThat(names.path("results").get(0).path("result").path("type").asText()).isEqualTo("m.room.name");
        assertThat(search(bob, "{\"search_term\":\"garden " + tag + "\",\"keys\":[\"content.body\"]}")
                .path("results").size()).isZero();
        // Query syntax in the term is not interpreted (no error; FTS5 takes the words literally, PostgreSQL drops
        // "or" and "not" as stop words).
        assertThat(search(bob, "{\"search_term\":\"roses OR \\\"NOT\\\" * ( " + tag + "\"}").path("results").size())
                .isLessThanOrEqualTo(1);
        // Eve's room is not searchable by others; Eve finds her own message.
        assertThat(bodies(search(eve, "{\"search_term\":\"roses " + tag + "\"}")))
                .containsExactly("secret roses " + tag);
    }

    @Test
    void respectsHistoryVisibilityAndRedactions() {
        String tag = tag();
        User alice = http.newUser();
        User bob = http.newUser();
        String room = http.createRoom(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"state_key\":\"\",\"content\":{\"history_visibility\":\"joined\"}}]}");
        http.sendText(alice, room, "before bob " + tag);
        http.join(bob, room);
        http.sendText(alice, room, "after bob " + tag);
        String redacted = http.sendText(alice, room, "oops bob " + tag);
        ok(http.put(alice, "/rooms/" + enc(room) + "/redact/" + enc(redacted) + "/r1", "{}"));
        assertThat(bodies(search(bob, "{\"search_term\":\"bob " + tag + "\"}"))).containsExactly("after bob " + tag);
        ok(http.post(bob, "/rooms/" + enc(room) + "/leave", "{}"));
        http.sendText(alice, room, "gone bob " + tag);
        // A user who left still finds what they saw, but not what came after.
        assertThat(bodies(search(bob, "{\"search_term\":\"bob " + tag + "\"}"))).containsExactly("after bob " + tag);
        assertThat(bodies(search(alice, "{\"search_term\":\"bob " + tag + "\",\"order_by\":\"recent\"}")))
                .containsExactly("gone bob " + tag, "after bob " + tag, "before bob " + tag);
    }

    @Test
    void pagesFiltersGroupsAndContext() {
        String tag = tag();
        User alice = http.newUser();
        User bob = http.newUser();
        String first = http.createRoom(alice, "{\"preset\":\"public_chat\"}");
        String second = http.createRoom(alice, "{\"preset\":\"public_chat\"}");
        http.join(bob, first);
        ok(http.put(bob, "/profile/" + enc(bob.id()) + "/displayname", "{\"displayname\":\"Bobby\"}"));
        http.sendText(alice, first, "context before");
        for (int i = 0; i < 5; i++) {
            http.sendText(i % 2 == 0 ? alice : bob, first, "apple " + i + " " + tag);
        }
        http.sendText(alice, second, "apple in second " + tag);
        http.sendText(alice, first, "context after");

        String criteria = "{\"search_term\":\"apple " + tag + "\",\"order_by\":\"recent\",\"filter\":{\"limit\":2}}";
        var seen = new ArrayList<String>();
        JsonNode page = search(alice, criteria);
        assertThat(page.path("count").asInt()).isEqualTo(6);
        int pages = 0;
        while (true) {
            pages++;
            seen.addAll(bodies(page));
            if (!page.has("next_batch")) {
                break;
            }
            page = search(alice, criteria, page.path("next_batch").asText());
        }
        assertThat(seen).containsExactly("apple in second " + tag, "apple 4 " + tag, "apple 3 " + tag,
                "apple 2 " + tag, "apple 1 " + tag, "apple 0 " + tag);
        assertThat(pages).isGreaterThanOrEqualTo(3);
        // Rank order pages too, without repeats.
        String ranked = "{\"search_term\":\"apple " + tag + "\",\"filter\":{\"limit\":4}}";
        JsonNode one = search(alice, ranked);
        JsonNode two = search(alice, ranked, one.path("next_batch").asText());
        var all = new ArrayList<>(bodies(one));
        all.addAll(bodies(two));
        assertThat(all).hasSize(6).doesNotHaveDuplicates();
        assertThat(two.has("next_batch")).isFalse();

        JsonNode filtered = search(alice, "{\"search_term\":\"apple " + tag + "\",\"filter\":{\"senders\":[\""
                + bob.id() + "\"],\"rooms\":[\"" + first + "\"]}}");
        assertThat(bodies(filtered)).containsExactlyInAnyOrder("apple 1 " + tag, "apple 3 " + tag);
        assertThat(search(alice, "{\"search_term\":\"apple " + tag + "\",\"filter\":{\"not_rooms\":[\"" + first
                + "\"]}}").path("results").size()).isEqualTo(1);

        JsonNode grouped = search(alice, "{\"search_term\":\"apple " + tag + "\",\"include_state\":true,"
                + "\"groupings\":{\"group_by\":[{\"key\":\"room_id\"},{\"key\":\"sender\"}]},"
                + "\"event_context\":{\"before_limit\":1,\"after_limit\":1,\"include_profile\":true}}");
        assertThat(grouped.path("groups").path("room_id").path(first).path("results").size()).isEqualTo(5);
        assertThat(grouped.path("groups").path("room_id").path(second).path("results").size()).isEqualTo(1);
        assertThat(grouped.path("groups").path("sender").path(bob.id()).path("results").size()).isEqualTo(2);
        assertThat(grouped.path("state").path(first).isArray()).isTrue();
        assertThat(grouped.path("state").path(first).toString()).contains("m.room.create");
        JsonNode oldest = null;
        for (JsonNode result : grouped.path("results")) {
            if (result.path("result").path("content").path("body").asText().equals("apple 1 " + tag)) {
                oldest = result;
            }
        }
        assertThat(oldest).isNotNull();
        JsonNode context = oldest.path("context");
        assertThat(context.path("events_before").get(0).path("content").path("body").asText())
                .isEqualTo("apple 0 " + tag);
        assertThat(context.path("events_after").get(0).path("content").path("body").asText())
                .isEqualTo("apple 2 " + tag);
        assertThat(context.path("profile_info").path(bob.id()).path("displayname").asText()).isEqualTo("Bobby");
        assertThat(context.path("start").asText()).isNotEmpty();
    }

    @Test
    void refusesBadInput() {
        User alice = http.newUser();
        error(http.post(alice, "/search", "{}"), 400, "M_MISSING_PARAM");
        error(http.post(alice, "/search", "{\"search_categories\":{\"room_events\":{}}}"), 400, "M_MISSING_PARAM");
        error(http.post(alice, "/search", "{\"search_categories\":{\"room_events\":{\"search_term\":\"a\","
                + "\"order_by\":\"best\"}}}"), 400, "M_INVALID_PARAM");
        error(http.post(alice, "/search", "{\"search_categories\":{\"room_events\":{\"search_term\":\"a\","
                + "\"keys\":[\"content.other\"]}}}"), 400, "M_INVALID_PARAM");
        error(http.post(alice, "/search", "{\"search_categories\":{\"room_events\":{\"search_term\":\"a\","
                + "\"keys\":\"content.body\"}}}"), 400, "M_BAD_JSON");
        error(http.post(alice, "/search?next_batch=zzz", "{\"search_categories\":{\"room_events\":"
                + "{\"search_term\":\"a\"}}}"), 400, "M_INVALID_PARAM");
        // No rooms: an empty result, not an error.
        JsonNode empty = search(alice, "{\"search_term\":\"anything\"}");
        assertThat(empty.path("results").size()).isZero();
        assertThat(empty.path("count").asInt()).isZero();
    }
}
