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

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static dev.myelin.server.client.FeatureHttpSupport.enc;
import static dev.myelin.server.client.FeatureHttpSupport.error;
import static dev.myelin.server.client.FeatureHttpSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Mutual rooms, OpenID tokens with the federation userinfo lookup, and TURN credentials, over HTTP. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class SmallFeaturesHttpTest {
    @Parameter
    Backend backend;

    static TestHomeserver server;
    static FeatureHttpSupport http;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open",
                "voip.turn_uris=[\"turn:turn.test.local:3478?transport=udp\"]", "voip.turn_shared_secret=s3cret",
                "voip.turn_user_lifetime=1h");
        http = new FeatureHttpSupport(server.client());
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void mutualRooms() {
        User alice = http.newUser();
        User bob = http.newUser();
        String shared = http.createRoom(alice, "{\"preset\":\"public_chat\"}");
        String left = http.createRoom(alice, "{\"preset\":\"public_chat\"}");
        http.createRoom(alice, "{\"preset\":\"public_chat\"}");
        http.join(bob, shared);
        http.join(bob, left);
        ok(http.post(bob, "/rooms/" + enc(left) + "/leave", "{}"));
        for (String path : new String[]{"/_matrix/client/v1/mutual_rooms", "/_matrix/client/v1/user/mutual_rooms",
                "/_matrix/client/unstable/uk.half-shot.msc2666/user/mutual_rooms"}) {
            JsonNode body = ok(http.get(alice, path + "?user_id=" + enc(bob.id())));
            assertThat(body.path("joined").size()).isEqualTo(1);
            assertThat(body.path("joined").get(0).asText()).isEqualTo(shared);
            assertThat(body.path("count").asInt()).isEqualTo(1);
            assertThat(body.has("next_batch")).isFalse();
        }
        String path = "/_matrix/client/v1/user/mutual_rooms";
        assertThat(ok(http.get(alice, path + "?user_id=" + enc("@ghost:test.local"))).path("joined").size()).isZero();
        error(http.get(alice, path), 400, "M_MISSING_PARAM");
        error(http.get(alice, path + "?user_id=" + enc(alice.id())), 400, "M_INVALID_PARAM");
        error(http.get(alice, path + "?user_id=nobody"), 400, "M_INVALID_PARAM");
        error(http.get(alice, path + "?user_id=" + enc(bob.id()) + "&from=zzz"), 400, "M_INVALID_PARAM");
    }

    @Test
    void openIdTokensIdentifyTheUserToThirdParties() {
        User alice = http.newUser();
        User bob = http.newUser();
        JsonNode token = ok(http.post(alice, "/user/" + enc(alice.id()) + "/openid/request_token", "{}"));
        assertThat(token.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.path("matrix_server_name").asText()).isEqualTo("test.local");
        assertThat(token.path("expires_in").asInt()).isEqualTo(3600);
        JsonNode info = ok(http.get("/_matrix/federation/v1/openid/userinfo?access_token="
                + enc(token.path("access_token").asText())));
        assertThat(info.path("sub").asText()).isEqualTo(alice.id());
        error(http.get("/_matrix/federation/v1/openid/userinfo?access_token=wrong"), 401, "M_UNKNOWN_TOKEN");
        error(http.get("/_matrix/federation/v1/openid/userinfo"), 401, "M_MISSING_TOKEN");
        error(http.post(bob, "/user/" + enc(alice.id()) + "/openid/request_token", "{}"), 403, "M_FORBIDDEN");
        // The OpenID token is not an access token.
        assertThat(server.client().get(FeatureHttpSupport.V3 + "/account/whoami",
                token.path("access_token").asText()).status()).isEqualTo(401);
    }

    @Test
    void turnCredentialsFollowCoturnsRestApi() throws Exception {
        User alice = http.newUser();
        JsonNode turn = ok(http.get(alice, "/voip/turnServer"));
        String username = turn.path("username").asText();
        assertThat(username).endsWith(":" + alice.id());
        long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
        assertThat(expiry - System.currentTimeMillis() / 1000).isBetween(3500L, 3700L);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        assertThat(turn.path("password").asText()).isEqualTo(
                Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))));
        assertThat(turn.path("uris").get(0).asText()).isEqualTo("turn:turn.test.local:3478?transport=udp");
        assertThat(turn.path("ttl").asInt()).isEqualTo(3600);
        error(http.get("/voip/turnServer"), 401, "M_MISSING_TOKEN");
    }

    @Test
    void withoutTurnConfigTheAnswerIsEmpty() throws Exception {
        try (var plain = TestHomeserver.start(backend, "registration.mode=open")) {
            var local = new FeatureHttpSupport(plain.client());
            User alice = local.newUser();
            assertThat(ok(local.get(alice, "/voip/turnServer")).size()).isZero();
        }
    }
}
