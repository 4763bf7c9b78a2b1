package dev.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.inbound.PduHandler;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.federation.transport.SignedRequest;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import dev.myelin.server.testing.TestClient;
import dev.myelin.spec.crypto.JsonSigner;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.crypto.VerifyKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two Myelin servers federating over TLS on loopback: keys, signed requests, transactions. */
class FederationTransportHttpTest {
    private static final AtomicInteger TXN = new AtomicInteger();
    static FederatedTestServer a;
    static FederatedTestServer b;
    static final List<String> edusAtB = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        a = FederatedTestServer.start(Backend.SQLITE);
        b = FederatedTestServer.start(Backend.SQLITE, "registration.mode=open");
        b.federation().inbound().eduHandler("org.example.test", (origin, content) ->
                edusAtB.add(origin + " " + content.path("n").asText()));
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
        b.close();
    }

    @Test
    void serverKeysAreSelfSignedAndValid() throws Exception {
        JsonNode keys = a.server().client().get("/_matrix/key/v2/server").json();

        assertThat(keys.path("server_name").asText()).isEqualTo(a.serverName());
        assertThat(keys.path("valid_until_ts").asLong()).isGreaterThan(System.currentTimeMillis());
        SigningKey ours = a.federation().localKeys().signingKey();
        String key = keys.path("verify_keys").path(ours.keyId()).path("key").asText();
        assertThat(key).isEqualTo(ours.verifyKey().publicKeyBase64());
        assertThat(JsonSigner.verify((ObjectNode) keys, a.serverName(), ours.verifyKey())).isTrue();
        assertThat(keys.path("old_verify_keys").isObject()).isTrue();
    }

    @Test
    void theVersionIsServed() {
        JsonNode version = a.server().client().get("/_matrix/federation/v1/version").json();

        assertThat(version.path("server").path("name").asText()).isEqualTo("Myelin");
    }

    @Test
    void aServerFetchesAnotherServersKeysOverTls() {
        SigningKey bKey = b.federation().localKeys().signingKey();

        var found = a.federation().keys().currentKey(b.serverName(), bKey.keyId());

        assertThat(found).contains(bKey.verifyKey());
        assertThat(a.federation().keys().find(b.serverName(), bKey.keyId(), OptionalLong.of(System.currentTimeMillis())))
                .contains(bKey.verifyKey());
    }

    @Test
    void aSignedTransactionIsAcceptedAndUnknownRoomsGetAnErrorEntry() throws Exception {
        ObjectNode pdu = pdu("!nowhere:" + a.serverName());
        ObjectNode txn = transaction(List.of(pdu), List.of());

        JsonNode answer = a.federation().client().put(b.serverName(), "/_matrix/federation/v1/send/t" + TXN.incrementAndGet(), txn);

        assertThat(answer.path("pdus").path("$event1").path("error").asText()).contains("does not participate");
    }

    @Test
    void aRetriedTransactionIsAnsweredAgainWithoutBeingProcessedTwice() throws Exception {
        String path = "/_matrix/federation/v1/send/dup" + TXN.incrementAndGet();
        ObjectNode txn = transaction(List.of(), List.of(edu("org.example.test", "once")));

        JsonNode first = a.federation().client().put(b.serverName(), path, txn);
        JsonNode second = a.federation().client().put(b.serverName(), path, txn);

        assertThat(second).isEqualTo(first);
        assertThat(edusAtB).filteredOn(e -> e.endsWith(" once")).containsExactly(a.serverName() + " once");
    }

    @Test
    void theSenderDeliversEdusInTransactions() throws Exception {
        var content = JsonNodeFactory.instance.objectNode().put("n", "queued");

        a.federation().sender().enqueueEdu(b.serverName(), "org.example.test", content);

        awaitTrue(() -> edusAtB.contains(a.serverName() + " queued"));
    }

    @Test
    void theSenderDeliversPdusToTheRoomSide() throws Exception {
        var seen = new CopyOnWriteArrayList<String>();
        b.federation().inbound().pduHandler((origin, pdu) -> {
            seen.add(origin + " " + pdu.path("room_id").asText());
            return PduHandler.Outcome.accepted(pdu.path("event_id").asText());
        });
        try {
            byte[] bytes = Json.MAPPER.writeValueAsBytes(pdu("!room:" + a.serverName()));

            a.federation().sender().enqueuePdu("!room:" + a.serverName(), bytes, List.of(b.serverName(), a.serverName()));

            awaitTrue(() -> seen.contains(a.serverName() + " !room:" + a.serverName()));
        } finally {
            b.federation().inbound().pduHandler(new dev.myelin.server.federation.inbound.UnknownRoomPdus());
        }
    }

    @Test
    void tooManyPdusAreRefused() {
        var pdus = new java.util.ArrayList<ObjectNode>();
        for (int i = 0; i < 51; i++) {
            pdus.add(pdu("!r:" + a.serverName()));
        }

        assertThatThrownBy(() -> a.federation().client().put(b.serverName(), "/_matrix/federation/v1/send/big", transaction(pdus, List.of())))
                .isInstanceOfSatisfying(FederationException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errcode()).contains("M_BAD_JSON");
                });
    }

    @Test
    void unsignedRequestsAreRefused() {
        var reply = b.server().client().request("PUT", "/_matrix/federation/v1/send/x", "{\"pdus\":[]}");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errcode()).isEqualTo("M_UNAUTHORIZED");
    }

    @Test
    void aBadSignatureIsRefused() {
        SigningKey aKey = a.federation().localKeys().signingKey();
        SigningKey impostor = SigningKey.generate(aKey.keyId(), new SecureRandom());
        String path = "/_matrix/federation/v1/send/forged";
        var body = Json.MAPPER.createObjectNode().set("pdus", Json.MAPPER.createArrayNode());
        String header = new SignedRequest("PUT", path, a.serverName(), b.serverName(), body).authorization(impostor);

        var reply = signedPut(path, body.toString(), header);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errcode()).isEqualTo("M_UNAUTHORIZED");
    }

    @Test
    void aRequestForAnotherDestinationIsRefused() {
        SigningKey aKey = a.federation().localKeys().signingKey();
        String path = "/_matrix/federation/v1/send/elsewhere";
        var body = Json.MAPPER.createObjectNode().set("pdus", Json.MAPPER.createArrayNode());
        String header = new SignedRequest("PUT", path, a.serverName(), "other.example", body).authorization(aKey);

        var reply = signedPut(path, body.toString(), header);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errcode()).isEqualTo("M_UNAUTHORIZED");
    }

    @Test
    void anUnknownKeyIsRefused() {
        SigningKey unknown = SigningKey.generate("ed25519:unknown", new SecureRandom());
        String path = "/_matrix/federation/v1/send/unknownkey";
        var body = Json.MAPPER.createObjectNode().set("pdus", Json.MAPPER.createArrayNode());
        String header = new SignedRequest("PUT", path, a.serverName(), b.serverName(), body).authorization(unknown);

        var reply = signedPut(path, body.toString(), header);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errcode()).isEqualTo("M_UNAUTHORIZED");
    }

    @Test
    void aTamperedBodyIsRefused() {
        SigningKey aKey = a.federation().localKeys().signingKey();
        String path = "/_matrix/federation/v1/send/tampered";
        var signedBody = Json.MAPPER.createObjectNode().set("pdus", Json.MAPPER.createArrayNode());
        String header = new SignedRequest("PUT", path, a.serverName(), b.serverName(), signedBody).authorization(aKey);

        var reply = signedPut(path, "{\"pdus\":[],\"edus\":[]}", header);

        assertThat(reply.status()).isEqualTo(401);
    }

    @Test
    void aNotaryAnswersForAnotherServerWithItsOwnSignatureAdded() throws Exception {
        JsonNode answer = b.server().client().get("/_matrix/key/v2/query/" + a.serverName()).json();

        assertThat(answer.path("server_keys")).hasSize(1);
        ObjectNode response = (ObjectNode) answer.path("server_keys").get(0);
        VerifyKey aKey = a.federation().localKeys().signingKey().verifyKey();
        VerifyKey bKey = b.federation().localKeys().signingKey().verifyKey();
        assertThat(JsonSigner.verify(response, a.serverName(), aKey)).isTrue();
        assertThat(JsonSigner.verify(response, b.serverName(), bKey)).isTrue();

        var posted = b.server().client().request("POST", "/_matrix/key/v2/query",
                "{\"server_keys\":{\"" + a.serverName() + "\":{\"" + aKey.keyId() + "\":{}}}}");
        assertThat(posted.status()).isEqualTo(200);
        assertThat(posted.json().path("server_keys")).hasSize(1);
    }

    @Test
    void notaryQueriesRejectBadInput() {
        var client = b.server().client();

        assertThat(client.request("POST", "/_matrix/key/v2/query", "{\"server_keys\":[]}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.request("POST", "/_matrix/key/v2/query", "nope").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.get("/_matrix/key/v2/query/bad_name!").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get("/_matrix/key/v2/query/" + a.serverName() + "?minimum_valid_until_ts=x").errcode())
                .isEqualTo("M_INVALID_PARAM");
    }

    @Test
    void directoryAndProfileQueriesAnswerForLocalAliasesAndUsers() throws Exception {
        var client = b.server().client();
        JsonNode user = register(client, "fedq" + TXN.incrementAndGet());
        String token = user.path("access_token").asText();
        String userId = user.path("user_id").asText();
        String roomId = client.request("POST", "/_matrix/client/v3/createRoom", "{\"room_alias_name\":\"fedq\"}", token)
                .json().path("room_id").asText();
        String alias = enc("#fedq:" + b.serverName());
        client.request("PUT", "/_matrix/client/v3/profile/" + enc(userId) + "/m.tz", "{\"m.tz\":\"Europe/Paris\"}", token);
        client.request("PUT", "/_matrix/client/v3/profile/" + enc(userId) + "/org.example.pets", "{\"org.example.pets\":[\"cat\"]}", token);

        JsonNode directory = a.federation().client().get(b.serverName(), "/_matrix/federation/v1/query/directory?room_alias=" + alias);
        JsonNode profile = a.federation().client().get(b.serverName(), "/_matrix/federation/v1/query/profile?user_id=" + enc(userId));

        assertThat(directory.path("room_id").asText()).isEqualTo(roomId);
        assertThat(directory.path("servers")).extracting(JsonNode::asText).containsExactly(b.serverName());
        assertThat(profile.path("m.tz").asText()).isEqualTo("Europe/Paris");
        assertThat(profile.path("org.example.pets").get(0).asText()).isEqualTo("cat");
        JsonNode field = a.federation().client().get(b.serverName(),
                "/_matrix/federation/v1/query/profile?user_id=" + enc(userId) + "&field=m.tz");
        assertThat(field.toString()).isEqualTo("{\"m.tz\":\"Europe/Paris\"}");
        JsonNode unset = a.federation().client().get(b.serverName(),
                "/_matrix/federation/v1/query/profile?user_id=" + enc(userId) + "&field=avatar_url");
        assertThat(unset.toString()).isEqualTo("{}");
        assertThat(queryError("/_matrix/federation/v1/query/directory?room_alias=" + enc("#nope:" + b.serverName())))
                .isEqualTo("404 M_NOT_FOUND");
        assertThat(queryError("/_matrix/federation/v1/query/profile?user_id=" + enc("@nobody:" + b.serverName())))
                .isEqualTo("404 M_NOT_FOUND");
        assertThat(queryError("/_matrix/federation/v1/query/profile")).isEqualTo("400 M_MISSING_PARAM");
        assertThat(queryError("/_matrix/federation/v1/query/directory")).isEqualTo("400 M_MISSING_PARAM");
    }

    /** Registers through the dummy flow of open registration. */
    static JsonNode register(TestClient client, String username) {
        String body = "{\"username\":\"" + username + "\",\"password\":\"correct horse battery\"";
        String session = client.request("POST", "/_matrix/client/v3/register", body + "}").json().path("session").asText();
        var done = client.request("POST", "/_matrix/client/v3/register",
                body + ",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        return done.json();
    }

    private static String queryError(String path) {
        try {
            a.federation().client().get(b.serverName(), path);
            return "200";
        } catch (FederationException e) {
            return e.status() + " " + e.errcode().orElse("");
        }
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    private TestClient.Reply signedPut(String path, String body, String authorization) {
        return b.server().client().send(HttpRequest.newBuilder(URI.create(b.server().baseUrl() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", authorization));
    }

    static ObjectNode pdu(String roomId) {
        ObjectNode pdu = JsonNodeFactory.instance.objectNode();
        pdu.put("event_id", "$event1");
        pdu.put("room_id", roomId);
        pdu.put("type", "m.room.message");
        pdu.put("sender", "@alice:" + a.serverName());
        pdu.putObject("content").put("body", "hi");
        return pdu;
    }

    static ObjectNode edu(String type, String n) {
        ObjectNode edu = JsonNodeFactory.instance.objectNode();
        edu.put("edu_type", type);
        edu.putObject("content").put("n", n);
        return edu;
    }

    static ObjectNode transaction(List<ObjectNode> pdus, List<ObjectNode> edus) {
        ObjectNode txn = JsonNodeFactory.instance.objectNode();
        txn.put("origin", a.serverName());
        txn.put("origin_server_ts", System.currentTimeMillis());
        pdus.forEach(txn.putArray("pdus")::add);
        edus.forEach(txn.putArray("edus")::add);
        return txn;
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
