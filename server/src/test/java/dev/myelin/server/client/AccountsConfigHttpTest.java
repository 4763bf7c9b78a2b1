package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.myelin.server.client.AccountsHttpTest.SECRET;
import static dev.myelin.server.client.AccountsHttpTest.sharedSecretRegister;
import static org.assertj.core.api.Assertions.assertThat;

/** Account behaviour that depends on configuration: closed and token registration, token expiry, rate limits. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class AccountsConfigHttpTest {
    @Parameter
    Backend backend;

    @Test
    void closedRegistrationIsForbiddenButTheOperatorCanStillCreateUsers() throws Exception {
        try (var server = TestHomeserver.start(backend, "registration_shared_secret=" + SECRET)) {
            TestClient client = server.client();
            Reply reply = client.request("POST", "/_matrix/client/v3/register",
                    "{\"username\":\"alice\",\"password\":\"password123\",\"auth\":{\"type\":\"m.login.dummy\"}}");
            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(client.request("POST", "/_matrix/client/v3/register?kind=guest", "{}").status()).isEqualTo(403);
            assertThat(client.get("/_matrix/client/v1/register/m.login.registration_token/validity?token=x").status()).isEqualTo(403);
            JsonNode created = sharedSecretRegister(client, "alice", "password123", false);
            assertThat(created.path("user_id").asText()).isEqualTo("@alice:test.local");
        }
    }

    @Test
    void sharedSecretRegistrationIsOffWithoutASecret() throws Exception {
        try (var server = TestHomeserver.start(backend, "registration_shared_secret=''")) {
            Reply nonce = server.client().get("/_synapse/admin/v1/register");
            assertThat(nonce.status()).isEqualTo(400);
        }
    }

    @Test
    void tokenRegistrationWithTokensManagedByAnAdmin() throws Exception {
        try (var server = TestHomeserver.start(backend, "registration.mode=token", "registration_shared_secret=" + SECRET)) {
            TestClient client = server.client();
            String admin = sharedSecretRegister(client, "admin", "password123", true).path("access_token").asText();
            String user = sharedSecretRegister(client, "plain", "password123", false).path("access_token").asText();
            String base = "/_synapse/admin/v1/registration_tokens";

            assertThat(client.get(base, user).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(client.get(base).errcode()).isEqualTo("M_MISSING_TOKEN");
            Reply created = client.request("POST", base + "/new", "{\"token\":\"abcd\",\"uses_allowed\":1}", admin);
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            assertThat(created.json().path("token").asText()).isEqualTo("abcd");
            assertThat(created.json().path("uses_allowed").asInt()).isEqualTo(1);
            assertThat(created.json().path("pending").asInt()).isZero();
            assertThat(created.json().path("expiry_time").isNull()).isTrue();
            assertThat(client.request("POST", base + "/new", "{\"token\":\"abcd\"}", admin).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(client.request("POST", base + "/new", "{\"token\":\"bad token!\"}", admin).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(client.request("POST", base + "/new", "{\"uses_allowed\":-1}", admin).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(client.request("POST", base + "/new", "{\"expiry_time\":1}", admin).errcode()).isEqualTo("M_INVALID_PARAM");
            Reply generated = client.request("POST", base + "/new", "{\"length\":20}", admin);
            assertThat(generated.json().path("token").asText()).hasSize(20);

            String validity = "/_matrix/client/v1/register/m.login.registration_token/validity?token=";
            assertThat(client.get(validity + "abcd").json().path("valid").asBoolean()).isTrue();
            assertThat(client.get(validity + "nope").json().path("valid").asBoolean()).isFalse();

            Reply first = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"bob\",\"password\":\"password123\"}");
            assertThat(first.status()).isEqualTo(401);
            assertThat(first.json().path("flows").get(0).path("stages").get(0).asText()).isEqualTo("m.login.registration_token");
            String session = first.json().path("session").asText();
            Reply dummy = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"bob\",\"password\":\"password123\","
                    + "\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}");
            assertThat(dummy.status()).isEqualTo(401);
            Reply wrong = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"bob\",\"password\":\"password123\","
                    + "\"auth\":{\"type\":\"m.login.registration_token\",\"token\":\"nope\",\"session\":\"" + session + "\"}}");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.errcode()).isEqualTo("M_UNAUTHORIZED");
            Reply done = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"bob\",\"password\":\"password123\","
                    + "\"auth\":{\"type\":\"m.login.registration_token\",\"token\":\"abcd\",\"session\":\"" + session + "\"}}");
            assertThat(done.status()).as(done.body()).isEqualTo(200);
            assertThat(done.json().path("user_id").asText()).isEqualTo("@bob:test.local");

            JsonNode used = client.get(base + "/abcd", admin).json();
            assertThat(used.path("completed").asInt()).isEqualTo(1);
            assertThat(used.path("pending").asInt()).isZero();
            assertThat(client.get(validity + "abcd").json().path("valid").asBoolean()).isFalse();
            Reply second = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"carol\",\"password\":\"password123\","
                    + "\"auth\":{\"type\":\"m.login.registration_token\",\"token\":\"abcd\"}}");
            assertThat(second.status()).isEqualTo(401);

            assertThat(client.get(base + "?valid=false", admin).json().path("registration_tokens").findValuesAsText("token")).containsExactly("abcd");
            assertThat(client.get(base + "?valid=true", admin).json().path("registration_tokens").size()).isEqualTo(1);
            Reply updated = client.request("PUT", base + "/abcd", "{\"uses_allowed\":null}", admin);
            assertThat(updated.json().path("uses_allowed").isNull()).isTrue();
            assertThat(client.get(validity + "abcd").json().path("valid").asBoolean()).isTrue();
            assertThat(client.request("PUT", base + "/nope", "{}", admin).status()).isEqualTo(404);
            assertThat(client.request("DELETE", base + "/abcd", null, admin).status()).isEqualTo(200);
            assertThat(client.get(base + "/abcd", admin).status()).isEqualTo(404);
            assertThat(client.request("DELETE", base + "/abcd", null, admin).status()).isEqualTo(404);
        }
    }

    @Test
    void expiredAccessTokensAreASoftLogout() throws Exception {
        try (var server = TestHomeserver.start(backend, "registration.mode=open",
                "sessions.refreshable_access_token_lifetime=1")) {
            TestClient client = server.client();
            AccountsHttpTest.register(client, "dora", "password123", "");
            JsonNode login = AccountsHttpTest.login(client, "dora", "password123", ",\"refresh_token\":true");
            assertThat(login.path("expires_in_ms").asLong()).isEqualTo(1000);
            String token = login.path("access_token").asText();
            assertThat(client.get("/_matrix/client/v3/account/whoami", token).status()).isEqualTo(200);
            Thread.sleep(1100);
            Reply expired = client.get("/_matrix/client/v3/account/whoami", token);
            assertThat(expired.status()).isEqualTo(401);
            assertThat(expired.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(expired.json().path("soft_logout").asBoolean()).isTrue();
            Reply refreshed = client.request("POST", "/_matrix/client/v3/refresh",
                    "{\"refresh_token\":\"" + login.path("refresh_token").asText() + "\"}");
            assertThat(refreshed.status()).isEqualTo(200);
            assertThat(client.get("/_matrix/client/v3/account/whoami", refreshed.json().path("access_token").asText()).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void loginsAndRegistrationsAreRateLimited() throws Exception {
        try (var server = TestHomeserver.start(backend, "registration.mode=open",
                "rate_limits.login.per_second=0.01", "rate_limits.login.burst=2",
                "rate_limits.registration.per_second=0.01", "rate_limits.registration.burst=1",
                "rate_limits.password_change.per_second=0.01", "rate_limits.password_change.burst=1")) {
            TestClient client = server.client();
            String body = "{\"username\":\"erin\",\"password\":\"password123\",\"auth\":{\"type\":\"m.login.dummy\"}}";
            assertThat(client.request("POST", "/_matrix/client/v3/register", body).status()).isEqualTo(200);
            Reply limitedRegistration = client.request("POST", "/_matrix/client/v3/register",
                    "{\"username\":\"frank\",\"password\":\"password123\",\"auth\":{\"type\":\"m.login.dummy\"}}");
            assertThat(limitedRegistration.status()).isEqualTo(429);
            assertThat(limitedRegistration.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
            String login = "{\"type\":\"m.login.password\",\"user\":\"erin\",\"password\":\"password123\"}";
            String token = client.request("POST", "/_matrix/client/v3/login", login).json().path("access_token").asText();
            assertThat(client.request("POST", "/_matrix/client/v3/login", login).status()).isEqualTo(200);
            Reply limited = client.request("POST", "/_matrix/client/v3/login", login);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
            assertThat(limited.json().path("retry_after_ms").asLong()).isPositive();

            String change = "{\"new_password\":\"password456\",\"logout_devices\":false,\"auth\":{\"type\":\"m.login.password\","
                    + "\"user\":\"erin\",\"password\":\"password123\"}}";
            // The UIA password check counts as a login attempt, already limited for this address.
            assertThat(client.request("POST", "/_matrix/client/v3/account/password", change, token).status()).isEqualTo(429);
        }
    }
}
