package dev.myelin.server.http;

import dev.myelin.server.metrics.Metrics;
import dev.myelin.server.testing.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP layer through a real listener, with test routes that exercise bodies and errors. */
class DispatcherHttpTest {
    private static HttpServer server;
    private static TestClient client;
    private static String baseUrl;

    @BeforeAll
    static void start() throws Exception {
        var router = new Router()
                .add("POST", "/echo", request -> MatrixResponse.ok(Map.of("got", request.jsonObject())))
                .add("PUT", "/rooms/{roomId}/state/{type}/{stateKey}", request -> MatrixResponse.ok(Map.of(
                        "roomId", request.pathParam("roomId"), "stateKey", request.pathParam("stateKey"))))
                .add("GET", "/boom", request -> {
                    throw new IllegalStateException("a bug");
                })
                .add("POST", "/refuse", request -> {
                    throw MatrixException.forbidden("refused before reading the body");
                });
        server = serve(router, RateLimit.UNLIMITED);
        baseUrl = "http://127.0.0.1:" + server.port(0);
        client = new TestClient(baseUrl);
    }

    private static HttpServer serve(Router router, RateLimit perIp) throws Exception {
        var dispatcher = new MatrixDispatcher(router, new Metrics(), 1024, new RateLimiter(perIp));
        var http = new HttpServer(List.of(new HttpServer.Binding("127.0.0.1", 0, Optional.empty(), false, dispatcher)),
                Duration.ofSeconds(1));
        http.start();
        return http;
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void unknownPathIs404Unrecognized() {
        var reply = client.get("/_matrix/client/v3/no/such/thing");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.errcode()).isEqualTo("M_UNRECOGNIZED");
    }

    @Test
    void wrongMethodIs405Unrecognized() {
        var reply = client.request("DELETE", "/echo", null);
        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.errcode()).isEqualTo("M_UNRECOGNIZED");
    }

    @Test
    void malformedJsonIs400NotJson() {
        var reply = client.request("POST", "/echo", "{\"a\": ");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.errcode()).isEqualTo("M_NOT_JSON");
    }

    @Test
    void duplicateKeysAreNotJson() {
        var reply = client.request("POST", "/echo", "{\"a\": 1, \"a\": 2}");
        assertThat(reply.errcode()).isEqualTo("M_NOT_JSON");
    }

    @Test
    void jsonThatIsNotAnObjectIs400BadJson() {
        var reply = client.request("POST", "/echo", "[1,2]");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.errcode()).isEqualTo("M_BAD_JSON");
    }

    @Test
    void validJsonIsEchoed() {
        var reply = client.request("POST", "/echo", "{\"a\": [1, \"x\"]}");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("got").path("a").get(1).asText()).isEqualTo("x");
    }

    @Test
    void oversizedBodyWithContentLengthIs413TooLarge() {
        var reply = client.request("POST", "/echo", "{\"a\":\"" + "x".repeat(2000) + "\"}");
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.errcode()).isEqualTo("M_TOO_LARGE");
    }

    @Test
    void oversizedChunkedBodyIs413TooLarge() {
        byte[] big = ("{\"a\":\"" + "x".repeat(5000) + "\"}").getBytes();
        var request = HttpRequest.newBuilder(URI.create(baseUrl + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        var reply = client.send(request);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.errcode()).isEqualTo("M_TOO_LARGE");
    }

    @Test
    void theConnectionStaysUsableWhenAnErrorIsAnsweredBeforeTheBodyArrives() throws Exception {
        int port = Integer.parseInt(baseUrl.substring(baseUrl.lastIndexOf(':') + 1));
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            var out = socket.getOutputStream();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream()));
            String body = "{\"padding\":\"" + "x".repeat(600) + "\"}";
            out.write(("POST /refuse HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n").getBytes());
            out.flush();
            Thread.sleep(300);
            out.write(body.getBytes());
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 403 Forbidden");
            skipResponse(in);
            out.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}".getBytes());
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    /** Reads past the headers and the Content-Length body of one response. */
    private static void skipResponse(java.io.BufferedReader in) throws java.io.IOException {
        int length = 0;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.skip(length);
    }

    @Test
    void aBugIs500UnknownWithoutDetails() {
        var reply = client.get("/boom");
        assertThat(reply.status()).isEqualTo(500);
        assertThat(reply.errcode()).isEqualTo("M_UNKNOWN");
        assertThat(reply.body()).doesNotContain("a bug");
    }

    @Test
    void encodedPathParametersAreDecoded() {
        var reply = client.request("PUT", "/rooms/%21abc%3Aexample.org/state/m.room.member/%40u%3Ax%2Fy", "{}");
        assertThat(reply.json().path("roomId").asText()).isEqualTo("!abc:example.org");
        assertThat(reply.json().path("stateKey").asText()).isEqualTo("@u:x/y");
    }

    @Test
    void everyResponseCarriesCorsHeaders() {
        var reply = client.get("/_matrix/unknown");
        assertThat(reply.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(reply.header("Access-Control-Allow-Methods")).isEqualTo("GET, OPTIONS, POST, PUT");
        assertThat(reply.header("Access-Control-Allow-Headers")).isEqualTo("X-Requested-With, Content-Type, Authorization");
    }

    @Test
    void optionsIsAnsweredWithoutRunningTheEndpoint() {
        var reply = client.request("OPTIONS", "/boom", null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Access-Control-Allow-Origin")).isEqualTo("*");
    }

    @Test
    void rateLimitedRequestsGet429WithRetryAfter() throws Exception {
        var router = new Router().add("GET", "/limited", request -> MatrixResponse.empty());
        try (HttpServer limited = serve(router, new RateLimit(0.01, 2))) {
            var limitedClient = new TestClient("http://127.0.0.1:" + limited.port(0));
            assertThat(limitedClient.get("/limited").status()).isEqualTo(200);
            assertThat(limitedClient.get("/limited").status()).isEqualTo(200);
            var reply = limitedClient.get("/limited");
            assertThat(reply.status()).isEqualTo(429);
            assertThat(reply.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
            assertThat(reply.json().path("retry_after_ms").asLong()).isPositive();
            assertThat(reply.header("Retry-After")).isNotNull();
        }
    }
}
