package dev.myelin.server.federation.directory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.myelin.server.federation.directory.DirectoryFederationHttpTest.User;
import static dev.myelin.server.federation.directory.DirectoryFederationHttpTest.enc;
import static dev.myelin.server.federation.directory.DirectoryFederationHttpTest.error;
import static dev.myelin.server.federation.directory.DirectoryFederationHttpTest.ok;
import static dev.myelin.server.federation.directory.DirectoryFederationHttpTest.register;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Other servers' users' profiles read by a local client ({@code GET /profile/{userId}[/{keyName}]}, answered by
 * their server's {@code /query/profile}), a on SQLite asking b on PostgreSQL.
 */
class RemoteProfileHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    static FederatedTestServer a;
    static FederatedTestServer b;

    @BeforeAll
    static void start() throws Exception {
        a = FederatedTestServer.start(Backend.SQLITE, "registration.mode=open");
        b = FederatedTestServer.start(Backend.POSTGRES, "registration.mode=open");
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

    static void set(User user, String key, String json) {
        ok(user.client().request("PUT", V3 + "/profile/" + enc(user.id()) + "/" + key,
                "{\"" + key + "\":" + json + "}", user.token()));
    }

    @Test
    void aClientReadsAnotherServersUsersWholeProfileAndSingleFields() {
        User alice = register(a);
        User bob = register(b);
        set(bob, "displayname", "\"Bob on b\"");
        set(bob, "m.tz", "\"Europe/Berlin\"");
        set(bob, "org.example.pets", "{\"cats\":2}");

        JsonNode profile = ok(alice.client().request("GET", V3 + "/profile/" + enc(bob.id()), null, alice.token()));
        assertThat(profile.path("displayname").asText()).isEqualTo("Bob on b");
        assertThat(profile.path("m.tz").asText()).isEqualTo("Europe/Berlin");
        assertThat(profile.path("org.example.pets").path("cats").asInt()).isEqualTo(2);
        assertThat(profile.has("avatar_url")).isFalse();

        JsonNode tz = ok(alice.client().request("GET", V3 + "/profile/" + enc(bob.id()) + "/m.tz", null, alice.token()));
        assertThat(tz.toString()).isEqualTo("{\"m.tz\":\"Europe/Berlin\"}");
        error(alice.client().request("GET", V3 + "/profile/" + enc(bob.id()) + "/avatar_url", null, alice.token()),
                404, "M_NOT_FOUND");

        // A change on b is read at once: nothing is cached on a.
        set(bob, "displayname", "\"Robert\"");
        JsonNode name = ok(alice.client().request("GET", V3 + "/profile/" + enc(bob.id()) + "/displayname", null,
                alice.token()));
        assertThat(name.path("displayname").asText()).isEqualTo("Robert");
    }

    @Test
    void unknownUsersAndUnreachableServersGiveMatrixErrors() {
        User alice = register(a);
        error(alice.client().request("GET", V3 + "/profile/" + enc("@nobody:" + b.serverName()), null, alice.token()),
                404, "M_NOT_FOUND");
        error(alice.client().request("GET", V3 + "/profile/" + enc("@nobody:" + b.serverName()) + "/displayname", null,
                alice.token()), 404, "M_NOT_FOUND");
        var unreachable = alice.client().request("GET", V3 + "/profile/" + enc("@x:unreachable.invalid"), null,
                alice.token());
        assertThat(unreachable.status()).as(unreachable.body()).isEqualTo(502);
    }
}
