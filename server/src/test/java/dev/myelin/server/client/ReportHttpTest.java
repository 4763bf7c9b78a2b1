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

import static dev.myelin.server.client.FeatureHttpSupport.enc;
import static dev.myelin.server.client.FeatureHttpSupport.error;
import static dev.myelin.server.client.FeatureHttpSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Reporting events, rooms and users, and the Synapse event reports admin API, over HTTP. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class ReportHttpTest {
    private static final String ADMIN = "/_synapse/admin/v1/event_reports";

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

    @Test
    void reportsAreStoredAndListedForAdmins() {
        User alice = http.newUser();
        User bob = http.newUser();
        User admin = http.newUser();
        server.homeserver().accounts().accounts().setAdmin(admin.id(), true);
        String room = http.createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Reported\"}");
        http.join(bob, room);
        String event = http.sendText(alice, room, "something rude");
        String path = "/rooms/" + enc(room) + "/report/" + enc(event);

        ok(http.post(bob, path, "{\"reason\":\"rude\",\"score\":-100}"));
        ok(http.post(bob, path, "{}"));
        ok(http.post(bob, "/rooms/" + enc(room) + "/report", "{\"reason\":\"whole room\"}"));
        ok(http.post(bob, "/users/" + enc(alice.id()) + "/report", "{\"reason\":\"rude user\"}"));

        JsonNode list = ok(http.get(admin, ADMIN + "?room_id=" + enc(room)));
        assertThat(list.path("total").asInt()).isEqualTo(2);
        JsonNode first = list.path("event_reports").get(1);
        assertThat(first.path("event_id").asText()).isEqualTo(event);
        assertThat(first.path("user_id").asText()).isEqualTo(bob.id());
        assertThat(first.path("sender").asText()).isEqualTo(alice.id());
        assertThat(first.path("reason").asText()).isEqualTo("rude");
        assertThat(first.path("score").asInt()).isEqualTo(-100);
        assertThat(first.path("name").asText()).isEqualTo("Reported");
        assertThat(first.path("received_ts").asLong()).isPositive();

        JsonNode paged = ok(http.get(admin, ADMIN + "?room_id=" + enc(room) + "&limit=1&dir=f"));
        assertThat(paged.path("event_reports").size()).isEqualTo(1);
        assertThat(paged.path("next_token").asInt()).isEqualTo(1);
        assertThat(paged.path("event_reports").get(0).path("reason").asText()).isEqualTo("rude");

        long id = first.path("id").asLong();
        JsonNode one = ok(http.get(admin, ADMIN + "/" + id));
        assertThat(one.path("event_json").path("content").path("body").asText()).isEqualTo("something rude");
        ok(http.delete(admin, ADMIN + "/" + id));
        error(http.get(admin, ADMIN + "/" + id), 404, "M_NOT_FOUND");
        error(http.get(admin, ADMIN + "/abc"), 400, "M_INVALID_PARAM");
        error(http.get(admin, ADMIN + "?limit=-1"), 400, "M_INVALID_PARAM");
        error(http.get(bob, ADMIN), 403, "M_FORBIDDEN");
    }

    @Test
    void refusesReportsOfWhatTheReporterCannotSee() {
        User alice = http.newUser();
        User eve = http.newUser();
        String room = http.createRoom(alice, "{\"preset\":\"private_chat\"}");
        String event = http.sendText(alice, room, "private");
        error(http.post(eve, "/rooms/" + enc(room) + "/report/" + enc(event), "{\"reason\":\"x\"}"), 404,
                "M_NOT_FOUND");
        error(http.post(alice, "/rooms/" + enc(room) + "/report/" + enc("$missing"), "{}"), 404, "M_NOT_FOUND");
        error(http.post(alice, "/rooms/" + enc(room) + "/report/" + enc(event), "{\"score\":5}"), 400,
                "M_INVALID_PARAM");
        error(http.post(alice, "/rooms/" + enc(room) + "/report/" + enc(event), "{\"reason\":7}"), 400,
                "M_BAD_JSON");
        error(http.post(alice, "/rooms/" + enc("!nope:test.local") + "/report", "{\"reason\":\"x\"}"), 404,
                "M_NOT_FOUND");
        error(http.post(alice, "/users/" + enc("@nobody:test.local") + "/report", "{\"reason\":\"x\"}"), 404,
                "M_NOT_FOUND");
        error(http.post(alice, "/users/" + enc(eve.id()) + "/report", "{}"), 400, "M_MISSING_PARAM");
    }
}
