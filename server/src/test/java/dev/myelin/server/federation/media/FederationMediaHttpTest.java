package dev.myelin.server.federation.media;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.storage.MediaStore;
import dev.myelin.server.testing.FakeMediaOrigin;
import dev.myelin.server.testing.FederatedTestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static dev.myelin.server.testing.MediaTestSupport.decode;
import static dev.myelin.server.testing.MediaTestSupport.get;
import static dev.myelin.server.testing.MediaTestSupport.png;
import static dev.myelin.server.testing.MediaTestSupport.registerUser;
import static dev.myelin.server.testing.MediaTestSupport.text;
import static dev.myelin.server.testing.MediaTestSupport.upload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Federated media, on SQLite and PostgreSQL: server b's media downloaded through server a (both Myelin), b's
 * federation endpoints themselves, and a's handling of origins that misbehave (a fake server).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class FederationMediaHttpTest {
    static final int MAX_REMOTE = 200 * 1024;
    static final int REMOTE_CACHE = 300 * 1024;

    @Parameter
    Backend backend;

    static FederatedTestServer a;
    static FederatedTestServer b;
    String aliceOnA;
    String bobOnB;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        a = FederatedTestServer.start(backend, "registration.mode=open",
                "media.max_remote_download_size=" + MAX_REMOTE, "media.remote_cache_size=" + REMOTE_CACHE,
                "media.unauthenticated_frozen_since=2999-01-01T00:00:00Z");
        b = FederatedTestServer.start(backend, "registration.mode=open");
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        a.close();
        b.close();
    }

    @BeforeEach
    void users() {
        aliceOnA = registerUser(a.server().client());
        bobOnB = registerUser(b.server().client());
    }

    private String uploadOnB(String contentType, String fileName, byte[] bytes) {
        var response = upload(b.server().baseUrl(), "POST", "/_matrix/media/v3/upload?filename=" + fileName, bobOnB,
                contentType, bytes);
        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        return json(response.body()).path("content_uri").asText().substring(("mxc://" + b.serverName() + "/").length());
    }

    private HttpResponse<byte[]> throughA(String path) {
        return get(a.server().baseUrl(), "/_matrix/client/v1/media/" + path, aliceOnA);
    }

    private static String errcode(HttpResponse<byte[]> response) {
        return json(response.body()).path("errcode").asText();
    }

    private static JsonNode json(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        return bytes;
    }

    private MediaStore storeOfA() {
        return a.server().homeserver().media().service().store();
    }

    @Test
    void mediaOfAnotherServerIsFetchedOverFederationCachedAndServed() {
        byte[] image = png(300, 200, false);
        String id = uploadOnB("image/png", "cat.png", image);

        var first = throughA("download/" + b.serverName() + "/" + id);
        assertThat(first.statusCode()).as(text(first)).isEqualTo(200);
        assertThat(first.body()).isEqualTo(image);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(first.headers().firstValue("Content-Disposition").orElseThrow()).contains("cat.png");

        MediaStore.Media cached = storeOfA().find(b.serverName(), id).orElseThrow();
        assertThat(cached.kind()).isEqualTo(MediaStore.Kind.REMOTE);
        assertThat(cached.size()).isEqualTo(image.length);
        assertThat(cached.width()).hasValue(300);

        var named = throughA("download/" + b.serverName() + "/" + id + "/other.png");
        assertThat(named.body()).isEqualTo(image);
        assertThat(named.headers().firstValue("Content-Disposition").orElseThrow()).contains("other.png");

        // The unauthenticated endpoints never serve remote media (all of it is fetched after the 1.11 freeze).
        var legacy = get(a.server().baseUrl(), "/_matrix/media/v3/download/" + b.serverName() + "/" + id, null);
        assertThat(legacy.statusCode()).isEqualTo(404);
    }

    @Test
    void aThumbnailOfRemoteMediaIsMadeFromTheCachedOriginal() {
        String id = uploadOnB("image/png", "big.png", png(640, 480, false));
        var thumbnail = throughA("thumbnail/" + b.serverName() + "/" + id + "?width=32&height=32&method=crop");
        assertThat(thumbnail.statusCode()).as(text(thumbnail)).isEqualTo(200);
        var decoded = decode(thumbnail.body());
        assertThat(decoded.getWidth()).isEqualTo(32);
        assertThat(decoded.getHeight()).isEqualTo(32);
        assertThat(storeOfA().find(b.serverName(), id)).isPresent();
    }

    @Test
    void theFederationEndpointsAnswerMultipartToSignedRequestsOnly() throws Exception {
        byte[] image = png(400, 300, false);
        String id = uploadOnB("image/png", "dog.png", image);
        try (var answer = a.federation().client().download(b.serverName(),
                "/_matrix/federation/v1/media/download/" + id)) {
            assertThat(answer.status()).isEqualTo(200);
            String type = answer.header("Content-Type").orElseThrow();
            var reader = new MultipartReader(answer.body(), FederationMediaSource.boundary(type).orElseThrow());
            assertThat(reader.first()).isTrue();
            assertThat(reader.headers()).containsEntry("content-type", "application/json");
            var json = new ByteArrayOutputStream();
            reader.copyPart(json, 1000);
            assertThat(json.toString(StandardCharsets.UTF_8)).isEqualTo("{}");
            assertThat(reader.afterDelimiter()).isTrue();
            var headers = reader.headers();
            assertThat(headers).containsEntry("content-type", "image/png");
            assertThat(headers.get("content-disposition")).contains("dog.png");
            var content = new ByteArrayOutputStream();
            reader.copyPart(content, 1 << 20);
            assertThat(content.toByteArray()).isEqualTo(image);
            assertThat(reader.afterDelimiter()).isFalse();
        }
        try (var thumbnail = a.federation().client().download(b.serverName(),
                "/_matrix/federation/v1/media/thumbnail/" + id + "?width=96&height=96&method=crop")) {
            assertThat(thumbnail.status()).isEqualTo(200);
            assertThat(thumbnail.header("Content-Type").orElseThrow()).startsWith("multipart/mixed; boundary=");
        }
        try (var unknown = a.federation().client().download(b.serverName(),
                "/_matrix/federation/v1/media/download/NoSuchMediaId")) {
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(json(unknown.body().readAllBytes()).path("errcode").asText()).isEqualTo("M_NOT_FOUND");
        }
        try (var badWidth = a.federation().client().download(b.serverName(),
                "/_matrix/federation/v1/media/thumbnail/" + id + "?width=x&height=96")) {
            assertThat(badWidth.status()).isEqualTo(400);
        }
        // Without an X-Matrix signature.
        var unsigned = java.net.http.HttpClient.newBuilder().sslContext(trustAll()).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:"
                        + b.serverName().substring("localhost:".length()) + "/_matrix/federation/v1/media/download/"
                        + id)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(unsigned.statusCode()).isEqualTo(401);
    }

    @Test
    void unknownRemoteMediaIs404AndAnUnfinishedUploadIs504() {
        var unknown = throughA("download/" + b.serverName() + "/NoSuchMediaId");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(errcode(unknown)).isEqualTo("M_NOT_FOUND");

        var created = b.server().client().request("POST", "/_matrix/media/v1/create", "{}", bobOnB);
        String id = created.json().path("content_uri").asText().substring(("mxc://" + b.serverName() + "/").length());
        var waiting = throughA("download/" + b.serverName() + "/" + id + "?timeout_ms=200");
        assertThat(waiting.statusCode()).as(text(waiting)).isEqualTo(504);
        assertThat(errcode(waiting)).isEqualTo("M_NOT_YET_UPLOADED");
        assertThat(storeOfA().find(b.serverName(), id)).isEmpty();
    }

    @Test
    void remoteMediaLargerThanTheLimitIsRefusedAndNotKept() {
        String id = uploadOnB("application/octet-stream", "big.bin", random(MAX_REMOTE + 1));
        var refused = throughA("download/" + b.serverName() + "/" + id);
        assertThat(refused.statusCode()).as(text(refused)).isEqualTo(502);
        assertThat(errcode(refused)).isEqualTo("M_TOO_LARGE");
        assertThat(storeOfA().find(b.serverName(), id)).isEmpty();
    }

    @Test
    void theRemoteCacheKeepsToItsSizeByDroppingTheLeastRecentlyDownloaded() {
        String[] ids = new String[3];
        byte[][] contents = new byte[3][];
        for (int i = 0; i < 3; i++) {
            contents[i] = random(120 * 1024);
            ids[i] = uploadOnB("application/octet-stream", "f" + i, contents[i]);
            var fetched = throughA("download/" + b.serverName() + "/" + ids[i]);
            assertThat(fetched.body()).isEqualTo(contents[i]);
        }
        assertThat(storeOfA().remoteBytes(a.serverName())).isLessThanOrEqualTo(REMOTE_CACHE);
        assertThat(storeOfA().find(b.serverName(), ids[0])).isEmpty();
        assertThat(storeOfA().find(b.serverName(), ids[2])).isPresent();
        // Evicted media is fetched again when asked for.
        assertThat(throughA("download/" + b.serverName() + "/" + ids[0]).body()).isEqualTo(contents[0]);
    }

    // ---- origins that misbehave ----

    private HttpResponse<byte[]> fromFake(FakeMediaOrigin origin) {
        return throughA("download/" + origin.serverName() + "/SomeMediaId");
    }

    private static MatrixResponse multipart(String body) {
        return MatrixResponse.bytes(200, "multipart/mixed; boundary=XyZ", body.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void malformedOrTruncatedMultipartIsA502AndNothingIsKept() throws Exception {
        String[] bad = {
                "no delimiter at all",
                "--XyZ\r\nContent-Type: application/json\r\n\r\n[1]\r\n--XyZ\r\n\r\nbytes\r\n--XyZ--\r\n",
                "--XyZ\r\nContent-Type: application/json\r\n\r\n{}\r\n--XyZ--\r\n",
                "--XyZ\r\nContent-Type: application/json\r\n\r\n{}\r\n--XyZ\r\nContent-Type: text/plain\r\n\r\ntrunc",
                "--XyZ\r\nContent-Type: application/json\r\n\r\n{}\r\n--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--",
        };
        for (String body : bad) {
            try (var origin = FakeMediaOrigin.serving("/_matrix/federation/v1/media/download/{id}",
                    request -> multipart(body))) {
                var answer = fromFake(origin);
                assertThat(answer.statusCode()).as(body).isEqualTo(502);
                assertThat(errcode(answer)).isEqualTo("M_UNKNOWN");
                assertThat(storeOfA().find(origin.serverName(), "SomeMediaId")).isEmpty();
            }
        }
        try (var notMultipart = FakeMediaOrigin.serving("/_matrix/federation/v1/media/download/{id}",
                request -> MatrixResponse.bytes(200, "image/png", new byte[]{1, 2, 3}))) {
            assertThat(fromFake(notMultipart).statusCode()).isEqualTo(502);
        }
    }

    @Test
    void aWellFormedAnswerFromAnotherImplementationIsAccepted() throws Exception {
        // Quoted boundary, a preamble, transport padding and an epilogue are all allowed by RFC 2046.
        String body = "preamble\r\n--XyZ \r\ncontent-type: application/json\r\n\r\n{\"x\":1}\r\n--XyZ\r\n"
                + "Content-Type: text/plain\r\nContent-Disposition: attachment; filename*=utf-8''na%C3%AFve.txt\r\n\r\n"
                + "hello\r\n--XyZ\r\nwith CRLF inside\r\n--XyZ--\r\nepilogue";
        try (var origin = FakeMediaOrigin.serving("/_matrix/federation/v1/media/download/{id}",
                request -> MatrixResponse.bytes(200, "multipart/mixed; boundary=\"XyZ\"",
                        body.getBytes(StandardCharsets.ISO_8859_1)))) {
            var answer = fromFake(origin);
            assertThat(answer.statusCode()).as(text(answer)).isEqualTo(200);
            assertThat(text(answer)).isEqualTo("hello");
            assertThat(storeOfA().find(origin.serverName(), "SomeMediaId").orElseThrow().uploadName())
                    .hasValue("naïve.txt");
        }
    }

    @Test
    void oversizeErrorsAndUnknownMediaFromTheOriginBecomeTheClientsErrors() throws Exception {
        String huge = "--XyZ\r\nContent-Type: application/json\r\n\r\n{}\r\n--XyZ\r\nContent-Type: text/plain\r\n\r\n"
                + "a".repeat(MAX_REMOTE + 10) + "\r\n--XyZ--\r\n";
        try (var origin = FakeMediaOrigin.serving("/_matrix/federation/v1/media/download/{id}",
                request -> multipart(huge))) {
            var answer = fromFake(origin);
            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(errcode(answer)).isEqualTo("M_TOO_LARGE");
        }
        try (var origin = FakeMediaOrigin.serving("/_matrix/federation/v1/media/download/{id}", request -> {
            throw MatrixException.notFound("no such media");
        })) {
            var answer = fromFake(origin);
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(errcode(answer)).isEqualTo("M_NOT_FOUND");
        }
        try (var origin = FakeMediaOrigin.serving("/_matrix/federation/v1/media/download/{id}", request -> {
            throw new MatrixException(500, ErrorCode.M_UNKNOWN, "broken");
        })) {
            assertThat(fromFake(origin).statusCode()).isEqualTo(502);
        }
    }

    @Test
    void anOriginWithoutTheFederationEndpointsIsAskedThroughTheDeprecatedOne() throws Exception {
        var allowRemote = new AtomicReference<String>();
        // The fake's router answers 404 M_UNRECOGNIZED for the federation media endpoint it does not have.
        var routes = new Router().add("GET", "/_matrix/media/v3/download/{server}/{id}", request -> {
            allowRemote.set(request.query("allow_remote").orElse(""));
            return MatrixResponse.bytes(200, "text/plain", "old server".getBytes(StandardCharsets.UTF_8))
                    .withHeader("Content-Disposition", "inline; filename=\"old.txt\"");
        });
        try (var origin = FakeMediaOrigin.start(routes)) {
            var answer = fromFake(origin);
            assertThat(answer.statusCode()).as(text(answer)).isEqualTo(200);
            assertThat(text(answer)).isEqualTo("old server");
            assertThat(allowRemote.get()).isEqualTo("false");
        }
    }

    @Test
    void contentGivenAsALocationIsFetchedFromThere() throws Exception {
        var plain = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] content = random(5000);
        plain.createContext("/elsewhere", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, content.length);
            exchange.getResponseBody().write(content);
            exchange.close();
        });
        plain.start();
        String body = "--XyZ\r\nContent-Type: application/json\r\n\r\n{}\r\n--XyZ\r\nLocation: http://127.0.0.1:"
                + plain.getAddress().getPort() + "/elsewhere\r\n\r\n\r\n--XyZ--\r\n";
        try (var origin = FakeMediaOrigin.serving("/_matrix/federation/v1/media/download/{id}",
                request -> multipart(body))) {
            var answer = fromFake(origin);
            assertThat(answer.statusCode()).as(text(answer)).isEqualTo(200);
            assertThat(Arrays.equals(answer.body(), content)).isTrue();
        } finally {
            plain.stop(0);
        }
    }

    private static javax.net.ssl.SSLContext trustAll() throws Exception {
        var context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[]{new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        return context;
    }
}
