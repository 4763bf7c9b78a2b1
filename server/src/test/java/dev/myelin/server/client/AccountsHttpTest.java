package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import dev.myelin.server.testing.TestHomeserver;
import dev.myelin.server.user.SharedSecretRegistration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Registration, login, tokens, devices and account management over HTTP, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class AccountsHttpTest {
    static final String SECRET = "test-shared-secret";
    private static final AtomicInteger USERS = new AtomicInteger();

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open", "registration.allow_guests=true",
                "registration_shared_secret=" + SECRET);
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static String newName() {
        return "user" + USERS.incrementAndGet() + "-" + System.nanoTime() % 100000;
    }

    /** Registers through the dummy flow; returns the 200 body. */
    static JsonNode register(TestClient client, String username, String password, String extra) {
        String body = "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"" + extra;
        Reply first = client.request("POST", "/_matrix/client/v3/register", body + "}");
        assertThat(first.status()).as(first.body()).isEqualTo(401);
        String session = first.json().path("session").asText();
        Reply done = client.request("POST", "/_matrix/client/v3/register",
                body + ",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        return done.json();
    }

    static JsonNode login(TestClient client, String user, String password, String extra) {
        Reply reply = client.request("POST", "/_matrix/client/v3/login", "{\"type\":\"m.login.password\","
                + "\"identifier\":{\"type\":\"m.id.user\",\"user\":\"" + user + "\"},\"password\":\"" + password + "\"" + extra + "}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static String passwordAuth(String user, String password, String session) {
        return "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"" + user
                + "\"},\"password\":\"" + password + "\"" + (session == null ? "" : ",\"session\":\"" + session + "\"") + "}";
    }

    /** Runs a UIA-protected request: first without auth (expects the password flow), then with the password. */
    static Reply withPasswordUia(TestClient client, String method, String path, String bodyPrefix, String token,
                                 String user, String password) {
        String open = bodyPrefix.isEmpty() ? "{" : bodyPrefix + ",";
        Reply first = client.request(method, path, bodyPrefix.isEmpty() ? "{}" : bodyPrefix + "}", token);
        assertThat(first.status()).as(first.body()).isEqualTo(401);
        assertThat(first.json().path("flows").get(0).path("stages").get(0).asText()).isEqualTo("m.login.password");
        String session = first.json().path("session").asText();
        return client.request(method, path, open + "\"auth\":" + passwordAuth(user, password, session) + "}", token);
    }

    static String serverName() {
        return "test.local";
    }

    @Test
    void registrationOffersTheDummyFlowThenCreatesTheAccount() {
        String name = newName();
        Reply first = client.request("POST", "/_matrix/client/v3/register",
                "{\"username\":\"" + name + "\",\"password\":\"password123\"}");
        assertThat(first.status()).isEqualTo(401);
        assertThat(first.json().path("flows").get(0).path("stages").get(0).asText()).isEqualTo("m.login.dummy");
        assertThat(first.json().path("session").asText()).isNotEmpty();
        assertThat(first.json().has("params")).isTrue();

        JsonNode done = register(client, newName(), "password123", ",\"initial_device_display_name\":\"Phone\",\"device_id\":\"MYDEVICE\"");
        assertThat(done.path("access_token").asText()).startsWith("mya_");
        assertThat(done.path("device_id").asText()).isEqualTo("MYDEVICE");
        Reply whoami = client.get("/_matrix/client/v3/account/whoami", done.path("access_token").asText());
        assertThat(whoami.status()).isEqualTo(200);
        assertThat(whoami.json().path("user_id").asText()).isEqualTo(done.path("user_id").asText());
        assertThat(whoami.json().path("device_id").asText()).isEqualTo("MYDEVICE");
        assertThat(whoami.json().path("is_guest").asBoolean()).isFalse();
        Reply device = client.get("/_matrix/client/v3/devices/MYDEVICE", done.path("access_token").asText());
        assertThat(device.json().path("display_name").asText()).isEqualTo("Phone");
    }

    @Test
    void registrationWithoutSessionButWithDummyAuthWorks() {
        String name = newName();
        Reply reply = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"" + name
                + "\",\"password\":\"password123\",\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().path("user_id").asText()).isEqualTo("@" + name + ":" + serverName());
    }

    @Test
    void registrationErrors() {
        String name = newName();
        register(client, name, "password123", "");
        Reply taken = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"" + name + "\",\"password\":\"password123\"}");
        assertThat(taken.status()).isEqualTo(400);
        assertThat(taken.errcode()).isEqualTo("M_USER_IN_USE");
        Reply invalid = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"Bad Name\",\"password\":\"password123\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.errcode()).isEqualTo("M_INVALID_USERNAME");
        Reply numeric = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"12345\",\"password\":\"password123\"}");
        assertThat(numeric.errcode()).isEqualTo("M_INVALID_USERNAME");
        Reply weak = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"" + newName() + "\",\"password\":\"short\"}");
        assertThat(weak.status()).isEqualTo(400);
        assertThat(weak.errcode()).isEqualTo("M_WEAK_PASSWORD");
        Reply noPassword = client.request("POST", "/_matrix/client/v3/register",
                "{\"username\":\"" + newName() + "\",\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertThat(noPassword.status()).isEqualTo(400);
        assertThat(noPassword.errcode()).isEqualTo("M_MISSING_PARAM");
        Reply notJson = client.request("POST", "/_matrix/client/v3/register", "{nope");
        assertThat(notJson.errcode()).isEqualTo("M_NOT_JSON");
        Reply badType = client.request("POST", "/_matrix/client/v3/register", "{\"username\":5}");
        assertThat(badType.errcode()).isEqualTo("M_BAD_JSON");
        Reply badSession = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"" + newName()
                + "\",\"password\":\"password123\",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"nosuch\"}}");
        assertThat(badSession.status()).isEqualTo(400);
        Reply badKind = client.request("POST", "/_matrix/client/v3/register?kind=admin", "{}");
        assertThat(badKind.status()).isEqualTo(400);
    }

    @Test
    void availability() {
        String name = newName();
        Reply free = client.get("/_matrix/client/v3/register/available?username=" + name);
        assertThat(free.status()).isEqualTo(200);
        assertThat(free.json().path("available").asBoolean()).isTrue();
        register(client, name, "password123", "");
        Reply taken = client.get("/_matrix/client/v3/register/available?username=" + name);
        assertThat(taken.status()).isEqualTo(400);
        assertThat(taken.errcode()).isEqualTo("M_USER_IN_USE");
        assertThat(client.get("/_matrix/client/v3/register/available?username=A%20B").errcode()).isEqualTo("M_INVALID_USERNAME");
        assertThat(client.get("/_matrix/client/v3/register/available").errcode()).isEqualTo("M_MISSING_PARAM");
    }

    @Test
    void inhibitLoginGivesNoToken() {
        JsonNode done = register(client, newName(), "password123", ",\"inhibit_login\":true");
        assertThat(done.has("access_token")).isFalse();
        assertThat(done.has("device_id")).isFalse();
        assertThat(done.path("user_id").asText()).startsWith("@");
    }

    @Test
    void guestsRegisterWithNumericIds() {
        Reply reply = client.request("POST", "/_matrix/client/v3/register?kind=guest", "{}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().path("user_id").asText()).matches("@[0-9]+:test\\.local");
        String guest = reply.json().path("access_token").asText();
        Reply whoami = client.get("/_matrix/client/v3/account/whoami", guest);
        assertThat(whoami.json().path("is_guest").asBoolean()).isTrue();
        assertThat(client.get("/_matrix/client/v3/devices", guest).status()).isEqualTo(200);
        String device = reply.json().path("device_id").asText();
        assertThat(client.request("PUT", "/_matrix/client/v3/devices/" + device, "{\"display_name\":\"G\"}", guest).status())
                .isEqualTo(200);
        assertThat(client.request("DELETE", "/_matrix/client/v3/devices/" + device, "{}", guest).errcode())
                .isEqualTo("M_GUEST_ACCESS_FORBIDDEN");
        assertThat(client.request("POST", "/_matrix/client/v3/account/password", "{\"new_password\":\"password123\"}", guest)
                .errcode()).isEqualTo("M_GUEST_ACCESS_FORBIDDEN");
        assertThat(client.request("POST", "/_matrix/client/v1/login/get_token", "{}", guest).errcode())
                .isEqualTo("M_GUEST_ACCESS_FORBIDDEN");
        assertThat(client.request("POST", "/_matrix/client/v3/account/deactivate", "{}", guest).errcode())
                .isEqualTo("M_GUEST_ACCESS_FORBIDDEN");

        // The guest upgrades to a full account under the same user id.
        String userId = reply.json().path("user_id").asText();
        String localpart = userId.substring(1, userId.indexOf(':'));
        Reply wrongName = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"someone-else\","
                + "\"password\":\"password123\",\"guest_access_token\":\"" + guest + "\"}");
        assertThat(wrongName.errcode()).isEqualTo("M_INVALID_USERNAME");
        Reply upgraded = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"" + localpart
                + "\",\"password\":\"password123\",\"guest_access_token\":\"" + guest + "\",\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertThat(upgraded.status()).as(upgraded.body()).isEqualTo(200);
        assertThat(upgraded.json().path("user_id").asText()).isEqualTo(userId);
        Reply full = client.get("/_matrix/client/v3/account/whoami", upgraded.json().path("access_token").asText());
        assertThat(full.json().path("is_guest").asBoolean()).isFalse();
        assertThat(client.get("/_matrix/client/v3/account/whoami", guest).json().path("is_guest").asBoolean()).isFalse();
        assertThat(login(client, userId, "password123", "").path("user_id").asText()).isEqualTo(userId);
        Reply again = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"" + localpart
                + "\",\"password\":\"password123\",\"guest_access_token\":\"" + guest + "\",\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertThat(again.status()).isEqualTo(403);
    }

    @Test
    void loginWithPasswordInEveryForm() {
        String name = newName();
        register(client, name, "password123", "");
        Reply flows = client.get("/_matrix/client/v3/login");
        assertThat(flows.json().path("flows").toString()).contains("m.login.password").contains("m.login.token");
        JsonNode byLocalpart = login(client, name, "password123", "");
        assertThat(byLocalpart.path("user_id").asText()).isEqualTo("@" + name + ":test.local");
        JsonNode byFullId = login(client, "@" + name + ":test.local", "password123", "");
        assertThat(byFullId.path("device_id").asText()).isNotEqualTo(byLocalpart.path("device_id").asText());
        Reply deprecated = client.request("POST", "/_matrix/client/r0/login",
                "{\"type\":\"m.login.password\",\"user\":\"" + name + "\",\"password\":\"password123\"}");
        assertThat(deprecated.status()).isEqualTo(200);
        Reply wrong = client.request("POST", "/_matrix/client/v3/login",
                "{\"type\":\"m.login.password\",\"user\":\"" + name + "\",\"password\":\"nope-nope\"}");
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.errcode()).isEqualTo("M_FORBIDDEN");
        Reply unknown = client.request("POST", "/_matrix/client/v3/login",
                "{\"type\":\"m.login.password\",\"user\":\"nobody-here\",\"password\":\"nope-nope\"}");
        assertThat(unknown.errcode()).isEqualTo("M_FORBIDDEN");
        Reply otherServer = client.request("POST", "/_matrix/client/v3/login",
                "{\"type\":\"m.login.password\",\"user\":\"@" + name + ":elsewhere.org\",\"password\":\"password123\"}");
        assertThat(otherServer.errcode()).isEqualTo("M_FORBIDDEN");
        Reply badType = client.request("POST", "/_matrix/client/v3/login", "{\"type\":\"m.login.magic\"}");
        assertThat(badType.status()).isEqualTo(400);
        Reply missing = client.request("POST", "/_matrix/client/v3/login", "{\"type\":\"m.login.password\",\"user\":\"" + name + "\"}");
        assertThat(missing.errcode()).isEqualTo("M_MISSING_PARAM");
    }

    @Test
    void loginToAnExistingDeviceReplacesItsToken() {
        String name = newName();
        register(client, name, "password123", "");
        String first = login(client, name, "password123", ",\"device_id\":\"SAMEDEVICE\"").path("access_token").asText();
        String second = login(client, name, "password123", ",\"device_id\":\"SAMEDEVICE\"").path("access_token").asText();
        assertThat(client.get("/_matrix/client/v3/account/whoami", first).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(client.get("/_matrix/client/v3/account/whoami", second).status()).isEqualTo(200);
    }

    @Test
    void missingAndUnknownTokens() {
        Reply missing = client.get("/_matrix/client/v3/account/whoami");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.errcode()).isEqualTo("M_MISSING_TOKEN");
        Reply unknown = client.get("/_matrix/client/v3/account/whoami", "mya_nope");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(unknown.json().has("soft_logout")).isFalse();
        Reply query = client.get("/_matrix/client/v3/account/whoami?access_token=mya_nope");
        assertThat(query.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void refreshTokensRotateAndARetriedRefreshWorksUntilTheNewTokenIsUsed() {
        String name = newName();
        register(client, name, "password123", "");
        JsonNode login = login(client, name, "password123", ",\"refresh_token\":true");
        assertThat(login.path("expires_in_ms").asLong()).isPositive();
        String refresh1 = login.path("refresh_token").asText();
        assertThat(refresh1).startsWith("myr_");

        Reply first = client.request("POST", "/_matrix/client/v3/refresh", "{\"refresh_token\":\"" + refresh1 + "\"}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", login.path("access_token").asText()).status()).isEqualTo(401);
        // The response was "lost": the client retries with the same refresh token, which still works.
        Reply retry = client.request("POST", "/_matrix/client/v3/refresh", "{\"refresh_token\":\"" + refresh1 + "\"}");
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", first.json().path("access_token").asText()).status())
                .isEqualTo(401);
        String access2 = retry.json().path("access_token").asText();
        Reply whoami = client.get("/_matrix/client/v3/account/whoami", access2);
        assertThat(whoami.status()).isEqualTo(200);
        assertThat(whoami.json().path("device_id").asText()).isEqualTo(login.path("device_id").asText());
        // Now that the new access token was used, the old refresh token is revoked.
        Reply stale = client.request("POST", "/_matrix/client/v3/refresh", "{\"refresh_token\":\"" + refresh1 + "\"}");
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        Reply next = client.request("POST", "/_matrix/client/v3/refresh",
                "{\"refresh_token\":\"" + retry.json().path("refresh_token").asText() + "\"}");
        assertThat(next.status()).isEqualTo(200);
        assertThat(client.request("POST", "/_matrix/client/v3/refresh", "{}").errcode()).isEqualTo("M_MISSING_PARAM");
    }

    @Test
    void logoutAndLogoutAll() {
        String name = newName();
        String a = register(client, name, "password123", "").path("access_token").asText();
        String b = login(client, name, "password123", "").path("access_token").asText();
        String c = login(client, name, "password123", "").path("access_token").asText();
        assertThat(client.request("POST", "/_matrix/client/v3/logout", "{}", a).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", a).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(client.get("/_matrix/client/v3/devices", b).json().path("devices").size()).isEqualTo(2);
        assertThat(client.request("POST", "/_matrix/client/v3/logout/all", "{}", b).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", b).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(client.get("/_matrix/client/v3/account/whoami", c).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void devicesListRenameAndDeleteWithUia() {
        String name = newName();
        JsonNode reg = register(client, name, "password123", ",\"device_id\":\"FIRST\"");
        String token = reg.path("access_token").asText();
        login(client, name, "password123", ",\"device_id\":\"SECOND\"");
        login(client, name, "password123", ",\"device_id\":\"THIRD\"");
        Reply list = client.get("/_matrix/client/v3/devices", token);
        assertThat(list.json().path("devices").findValuesAsText("device_id")).containsExactlyInAnyOrder("FIRST", "SECOND", "THIRD");
        JsonNode self = client.get("/_matrix/client/v3/devices/FIRST", token).json();
        assertThat(self.path("last_seen_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(self.path("last_seen_ts").asLong()).isPositive();

        assertThat(client.request("PUT", "/_matrix/client/v3/devices/SECOND", "{\"display_name\":\"Laptop\"}", token).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/devices/SECOND", token).json().path("display_name").asText()).isEqualTo("Laptop");
        assertThat(client.request("PUT", "/_matrix/client/v3/devices/NOPE", "{\"display_name\":\"x\"}", token).status()).isEqualTo(404);
        assertThat(client.get("/_matrix/client/v3/devices/NOPE", token).errcode()).isEqualTo("M_NOT_FOUND");

        Reply wrongPassword = client.request("DELETE", "/_matrix/client/v3/devices/SECOND",
                "{\"auth\":" + passwordAuth(name, "wrong-password", null) + "}", token);
        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(wrongPassword.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(wrongPassword.json().has("flows")).isTrue();
        Reply deleted = withPasswordUia(client, "DELETE", "/_matrix/client/v3/devices/SECOND", "", token, name, "password123");
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        // Deleting a device that is already gone still needs UIA, then succeeds.
        assertThat(client.request("DELETE", "/_matrix/client/v3/devices/SECOND", "{}", token).status()).isEqualTo(401);

        Reply many = withPasswordUia(client, "POST", "/_matrix/client/v3/delete_devices", "{\"devices\":[\"THIRD\",\"NOPE\"]", token, name, "password123");
        assertThat(many.status()).as(many.body()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/devices", token).json().path("devices").findValuesAsText("device_id")).containsExactly("FIRST");
        Reply badList = client.request("POST", "/_matrix/client/v3/delete_devices", "{\"devices\":\"THIRD\"}", token);
        assertThat(badList.errcode()).isEqualTo("M_BAD_JSON");
        // Another user's password does not authorize deleting this user's devices.
        String other = newName();
        register(client, other, "password123", "");
        Reply foreign = client.request("POST", "/_matrix/client/v3/delete_devices",
                "{\"devices\":[\"FIRST\"],\"auth\":" + passwordAuth(other, "password123", null) + "}", token);
        assertThat(foreign.status()).isEqualTo(401);
    }

    @Test
    void passwordChangeLogsOutOtherDevices() {
        String name = newName();
        String token = register(client, name, "password123", "").path("access_token").asText();
        String other = login(client, name, "password123", "").path("access_token").asText();
        Reply weak = client.request("POST", "/_matrix/client/v3/account/password", "{\"new_password\":\"x\"}", token);
        assertThat(weak.errcode()).isEqualTo("M_WEAK_PASSWORD");
        Reply missing = client.request("POST", "/_matrix/client/v3/account/password", "{}", token);
        assertThat(missing.errcode()).isEqualTo("M_MISSING_PARAM");
        Reply changed = withPasswordUia(client, "POST", "/_matrix/client/v3/account/password",
                "{\"new_password\":\"new-password-1\"", token, name, "password123");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", token).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", other).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(client.request("POST", "/_matrix/client/v3/login",
                "{\"type\":\"m.login.password\",\"user\":\"" + name + "\",\"password\":\"password123\"}").status()).isEqualTo(403);
        String third = login(client, name, "new-password-1", "").path("access_token").asText();
        Reply keep = withPasswordUia(client, "POST", "/_matrix/client/v3/account/password",
                "{\"new_password\":\"new-password-2\",\"logout_devices\":false", token, name, "new-password-1");
        assertThat(keep.status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", third).status()).isEqualTo(200);
    }

    @Test
    void deactivationRemovesTokensAndRefusesLogin() {
        String name = newName();
        String token = register(client, name, "password123", "").path("access_token").asText();
        Reply done = withPasswordUia(client, "POST", "/_matrix/client/v3/account/deactivate", "{\"erase\":true", token, name, "password123");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(done.json().path("id_server_unbind_result").asText()).isEqualTo("no-support");
        assertThat(client.get("/_matrix/client/v3/account/whoami", token).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        Reply login = client.request("POST", "/_matrix/client/v3/login",
                "{\"type\":\"m.login.password\",\"user\":\"" + name + "\",\"password\":\"password123\"}");
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.errcode()).isEqualTo("M_USER_DEACTIVATED");
        Reply reuse = client.request("POST", "/_matrix/client/v3/register", "{\"username\":\"" + name + "\",\"password\":\"password123\"}");
        assertThat(reuse.errcode()).isEqualTo("M_USER_IN_USE");
    }

    @Test
    void loginTokensAreSingleUse() {
        String name = newName();
        String token = register(client, name, "password123", "").path("access_token").asText();
        Reply created = withPasswordUia(client, "POST", "/_matrix/client/v1/login/get_token", "", token, name, "password123");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().path("expires_in_ms").asLong()).isPositive();
        String loginToken = created.json().path("login_token").asText();
        Reply login = client.request("POST", "/_matrix/client/v3/login", "{\"type\":\"m.login.token\",\"token\":\"" + loginToken + "\"}");
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().path("user_id").asText()).isEqualTo("@" + name + ":test.local");
        Reply again = client.request("POST", "/_matrix/client/v3/login", "{\"type\":\"m.login.token\",\"token\":\"" + loginToken + "\"}");
        assertThat(again.status()).isEqualTo(403);
        assertThat(again.errcode()).isEqualTo("M_FORBIDDEN");
    }

    @Test
    void threepidsAreEmptyAndCannotBeAdded() {
        String token = register(client, newName(), "password123", "").path("access_token").asText();
        Reply list = client.get("/_matrix/client/v3/account/3pid", token);
        assertThat(list.json().path("threepids").isArray()).isTrue();
        assertThat(list.json().path("threepids").size()).isZero();
        Reply request = client.request("POST", "/_matrix/client/v3/register/email/requestToken",
                "{\"client_secret\":\"s\",\"email\":\"a@b.c\",\"send_attempt\":1}");
        assertThat(request.status()).isEqualTo(400);
        assertThat(request.errcode()).isEqualTo("M_THREEPID_MEDIUM_NOT_SUPPORTED");
        assertThat(client.request("POST", "/_matrix/client/v3/account/3pid/email/requestToken", "{}", token).errcode())
                .isEqualTo("M_THREEPID_MEDIUM_NOT_SUPPORTED");
        assertThat(client.request("POST", "/_matrix/client/v3/account/3pid/add", "{}", token).errcode())
                .isEqualTo("M_THREEPID_AUTH_FAILED");
    }

    @Test
    void capabilitiesSayPasswordChangeAndLoginTokensWork() {
        String token = register(client, newName(), "password123", "").path("access_token").asText();
        JsonNode caps = client.get("/_matrix/client/v3/capabilities", token).json().path("capabilities");
        assertThat(caps.path("m.change_password").path("enabled").asBoolean()).isTrue();
        assertThat(caps.path("m.get_login_token").path("enabled").asBoolean()).isTrue();
    }

    @Test
    void sharedSecretRegistrationChecksNonceAndMac() {
        String nonce = client.get("/_synapse/admin/v1/register").json().path("nonce").asText();
        String name = newName();
        String wrongMac = HexFormat.of().formatHex(SharedSecretRegistration.mac("other".getBytes(StandardCharsets.UTF_8),
                nonce, name, "password123", false));
        Reply forged = client.request("POST", "/_synapse/admin/v1/register", "{\"nonce\":\"" + nonce + "\",\"username\":\""
                + name + "\",\"password\":\"password123\",\"admin\":false,\"mac\":\"" + wrongMac + "\"}");
        assertThat(forged.status()).isEqualTo(403);
        // The nonce was spent by the failed attempt.
        String mac = HexFormat.of().formatHex(SharedSecretRegistration.mac(SECRET.getBytes(StandardCharsets.UTF_8),
                nonce, name, "password123", false));
        Reply replay = client.request("POST", "/_synapse/admin/v1/register", "{\"nonce\":\"" + nonce + "\",\"username\":\""
                + name + "\",\"password\":\"password123\",\"admin\":false,\"mac\":\"" + mac + "\"}");
        assertThat(replay.status()).isEqualTo(400);
        JsonNode created = sharedSecretRegister(client, name, "password123", false);
        assertThat(created.path("user_id").asText()).isEqualTo("@" + name + ":test.local");
        assertThat(client.get("/_matrix/client/v3/account/whoami", created.path("access_token").asText()).status()).isEqualTo(200);
    }

    @Test
    void hostileInputIsRefusedCleanlyNeverA500() {
        String name = newName();
        String token = register(client, name, "password123", "").path("access_token").asText();
        Reply nulDevice = client.request("POST", "/_matrix/client/v3/login", "{\"type\":\"m.login.password\",\"user\":\""
                + name + "\",\"password\":\"password123\",\"device_id\":\"A\\u0000B\"}");
        assertThat(nulDevice.status()).isEqualTo(400);
        assertThat(nulDevice.errcode()).isEqualTo("M_INVALID_PARAM");
        Reply nulName = client.request("PUT", "/_matrix/client/v3/devices/X", "{\"display_name\":\"a\\u0000\"}", token);
        assertThat(nulName.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get("/_matrix/client/v3/devices/A%00B", token).status()).isEqualTo(400);
        assertThat(client.get("/_matrix/client/v1/register/m.login.registration_token/validity?token=a%00b").status())
                .isLessThan(500);
        Reply nulUser = client.request("POST", "/_matrix/client/v3/login",
                "{\"type\":\"m.login.password\",\"user\":\"a\\u0000b\",\"password\":\"password123\"}");
        assertThat(nulUser.status()).isEqualTo(403);
        Reply identifier = client.request("POST", "/_matrix/client/v3/login",
                "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.thirdparty\",\"medium\":\"email\",\"address\":\"a@b\"},\"password\":\"x\"}");
        assertThat(identifier.status()).isEqualTo(400);
        Reply auth = client.request("POST", "/_matrix/client/v3/delete_devices", "{\"devices\":[],\"auth\":\"nope\"}", token);
        assertThat(auth.errcode()).isEqualTo("M_BAD_JSON");
        Reply stage = client.request("POST", "/_matrix/client/v3/delete_devices",
                "{\"devices\":[],\"auth\":{\"type\":\"m.login.dummy\"}}", token);
        assertThat(stage.status()).isEqualTo(401);
        Reply longUser = client.request("POST", "/_matrix/client/v3/register",
                "{\"username\":\"" + "a".repeat(300) + "\",\"password\":\"password123\"}");
        assertThat(longUser.errcode()).isEqualTo("M_INVALID_USERNAME");
        Reply array = client.request("POST", "/_matrix/client/v3/login", "[]");
        assertThat(array.errcode()).isEqualTo("M_BAD_JSON");
    }

    static JsonNode sharedSecretRegister(TestClient client, String name, String password, boolean admin) {
        String nonce = client.get("/_synapse/admin/v1/register").json().path("nonce").asText();
        String mac = HexFormat.of().formatHex(SharedSecretRegistration.mac(SECRET.getBytes(StandardCharsets.UTF_8),
                nonce, name, password, admin));
        Reply reply = client.request("POST", "/_synapse/admin/v1/register", "{\"nonce\":\"" + nonce + "\",\"username\":\""
                + name + "\",\"password\":\"" + password + "\",\"admin\":" + admin + ",\"mac\":\"" + mac + "\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }
}
