package dev.myelin.server.client;

import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.myelin.server.testing.MediaTestSupport.decode;
import static dev.myelin.server.testing.MediaTestSupport.get;
import static dev.myelin.server.testing.MediaTestSupport.jpeg;
import static dev.myelin.server.testing.MediaTestSupport.png;
import static dev.myelin.server.testing.MediaTestSupport.pngBomb;
import static dev.myelin.server.testing.MediaTestSupport.registerUser;
import static dev.myelin.server.testing.MediaTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

/** The content repository over HTTP, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class MediaHttpTest {
    static final long MAX_UPLOAD = 4L << 20;

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;
    static String base;
    String token;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open", "media.max_upload_size=" + MAX_UPLOAD,
                "media.upload_quota_per_user=6M", "media.max_pending_uploads=3", "media.unused_id_lifetime=3s",
                "media.unauthenticated_frozen_since=2999-01-01T00:00:00Z");
        client = server.client();
        base = server.baseUrl();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    @BeforeEach
    void newUser() {
        token = registerUser(client);
    }

    static HttpResponse<byte[]> upload(String token, String contentType, String query, byte[] body) {
        return dev.myelin.server.testing.MediaTestSupport.upload(base, "POST", "/_matrix/media/v3/upload" + query,
                token, contentType, body);
    }

    static String uploadOk(String token, String contentType, String query, byte[] body) {
        var response = upload(token, contentType, query, body);
        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        String uri = client.get("/").body(); // keep the connection warm; not asserted
        return json(response).path("content_uri").asText();
    }

    static com.fasterxml.jackson.databind.JsonNode json(HttpResponse<byte[]> response) {
        try {
            return dev.myelin.server.http.Json.MAPPER.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(text(response), e);
        }
    }

    static String path(String mxc) {
        return mxc.substring("mxc://".length());
    }

    static String errcode(HttpResponse<byte[]> response) {
        return json(response).path("errcode").asText(null);
    }

    @Test
    void uploadThenDownloadThroughTheAuthenticatedEndpoint() {
        byte[] body = "hello media".getBytes(StandardCharsets.UTF_8);
        String mxc = uploadOk(token, "text/plain", "?filename=hello.txt", body);
        assertThat(mxc).startsWith("mxc://test.local/").matches("mxc://test\\.local/[A-Za-z0-9_-]+");

        var download = get(base, "/_matrix/client/v1/media/download/" + path(mxc), token);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(body);
        var headers = download.headers();
        assertThat(headers.firstValue("Content-Type")).hasValue("text/plain");
        assertThat(headers.firstValue("Content-Disposition")).hasValue("inline; filename=\"hello.txt\"");
        assertThat(headers.firstValue("Content-Security-Policy")).hasValue(MediaEndpoints.CONTENT_SECURITY_POLICY);
        assertThat(headers.firstValue("Cross-Origin-Resource-Policy")).hasValue("cross-origin");
        assertThat(headers.firstValue("Content-Length")).hasValue(String.valueOf(body.length));

        // Another user may download it too.
        String other = registerUser(client);
        assertThat(get(base, "/_matrix/client/v1/media/download/" + path(mxc), other).body()).isEqualTo(body);
    }

    @Test
    void fileNameFromThePathAndNonAsciiNamesAreEncoded() {
        String mxc = uploadOk(token, "image/png", "?filename=" + java.net.URLEncoder.encode("écran 1.png",
                StandardCharsets.UTF_8).replace("+", "%20"), png(4, 4, false));
        var download = get(base, "/_matrix/client/v1/media/download/" + path(mxc), token);
        assertThat(download.headers().firstValue("Content-Disposition"))
                .hasValue("inline; filename*=utf-8''%C3%A9cran%201.png");
        var renamed = get(base, "/_matrix/client/v1/media/download/" + path(mxc) + "/other.png", token);
        assertThat(renamed.headers().firstValue("Content-Disposition")).hasValue("inline; filename=\"other.png\"");
        var noName = get(base, "/_matrix/client/v1/media/download/" + path(uploadOk(token, "image/png", "",
                png(4, 4, false))), token);
        assertThat(noName.headers().firstValue("Content-Disposition")).hasValue("inline");
    }

    @Test
    void unsafeTypesAreAttachments() {
        for (String type : new String[]{"text/html", "image/svg+xml", "application/javascript", "application/pdf"}) {
            String mxc = uploadOk(token, type, "?filename=x", "<script>alert(1)</script>".getBytes());
            var download = get(base, "/_matrix/client/v1/media/download/" + path(mxc), token);
            assertThat(download.headers().firstValue("Content-Disposition")).as(type).hasValue("attachment; filename=\"x\"");
            assertThat(download.headers().firstValue("Content-Security-Policy")).isPresent();
        }
    }

    @Test
    void contentTypeDefaultsAndIsCheckedForImages() {
        String untyped = uploadOk(token, null, "", "abc".getBytes());
        assertThat(get(base, "/_matrix/client/v1/media/download/" + path(untyped), token).headers()
                .firstValue("Content-Type")).hasValue("application/octet-stream");
        // "Encrypted" bytes claimed to be a PNG are served as octet-stream, as an attachment.
        String fake = uploadOk(token, "image/png", "", new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        var download = get(base, "/_matrix/client/v1/media/download/" + path(fake), token);
        assertThat(download.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(download.headers().firstValue("Content-Disposition")).hasValue("attachment");
    }

    @Test
    void authenticationIsRequired() {
        String mxc = uploadOk(token, "text/plain", "", "x".getBytes());
        var noToken = get(base, "/_matrix/client/v1/media/download/" + path(mxc), null);
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(errcode(noToken)).isEqualTo("M_MISSING_TOKEN");
        var badToken = get(base, "/_matrix/client/v1/media/download/" + path(mxc), "nope");
        assertThat(errcode(badToken)).isEqualTo("M_UNKNOWN_TOKEN");
        var uploadNoToken = dev.myelin.server.testing.MediaTestSupport.send(HttpRequest.newBuilder(
                URI.create(base + "/_matrix/media/v3/upload")).POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(uploadNoToken.statusCode()).isEqualTo(401);
        assertThat(get(base, "/_matrix/client/v1/media/config", null).statusCode()).isEqualTo(401);
    }

    @Test
    void legacyEndpointsServeMediaFromBeforeTheFreeze() {
        // This server's freeze is set in the far future, so everything here predates it.
        String mxc = uploadOk(token, "text/plain", "", "old".getBytes());
        var legacy = get(base, "/_matrix/media/v3/download/" + path(mxc), null);
        assertThat(legacy.statusCode()).isEqualTo(200);
        assertThat(legacy.body()).isEqualTo("old".getBytes());
    }

    @Test
    void config() {
        var config = get(base, "/_matrix/client/v1/media/config", token);
        assertThat(json(config).path("m.upload.size").asLong()).isEqualTo(MAX_UPLOAD);
        assertThat(json(get(base, "/_matrix/media/v3/config", token)).path("m.upload.size").asLong())
                .isEqualTo(MAX_UPLOAD);
    }

    @Test
    void unknownAndInvalidMediaAreNotFoundAndAnUnreachableOriginIsABadGateway() {
        for (String path : new String[]{"test.local/doesNotExist", "test.local/..%2F..%2Fetc", "test.local/a.b",
                "bad_server!/abc", "other.example/a.b"}) {
            var response = get(base, "/_matrix/client/v1/media/download/" + path, token);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(errcode(response)).as(path).isEqualTo("M_NOT_FOUND");
        }
        // Remote media is fetched from its origin (FederationMediaHttpTest); one that cannot be reached is a 502.
        var unreachable = get(base, "/_matrix/client/v1/media/download/unreachable.invalid/abcdef", token);
        assertThat(unreachable.statusCode()).isEqualTo(502);
        assertThat(errcode(unreachable)).isEqualTo("M_UNKNOWN");
    }

    @Test
    void tooLargeFromContentLengthUpFront() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.homeserver().port(0))) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: text/plain\r\nContent-Length: " + (MAX_UPLOAD + 1) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 413");
        }
    }

    @Test
    void tooLargeWhileStreamingLeavesNoFile() throws Exception {
        byte[] big = new byte[(int) MAX_UPLOAD + 100];
        // No Content-Length: the limit is enforced while the body streams in.
        var request = HttpRequest.newBuilder(URI.create(base + "/_matrix/media/v3/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .header("Authorization", "Bearer " + token).build();
        var response = dev.myelin.server.testing.MediaTestSupport.send(request);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(errcode(response)).isEqualTo("M_TOO_LARGE");
        try (var tmp = Files.list(server.dir().resolve("media/tmp"))) {
            assertThat(tmp.toList()).isEmpty();
        }
    }

    @Test
    void sameBytesAreStoredOnce() throws Exception {
        byte[] body = ("dedup " + System.nanoTime()).getBytes();
        String first = uploadOk(token, "text/plain", "?filename=a.txt", body);
        String second = uploadOk(registerUser(client), "application/octet-stream", "?filename=b.bin", body);
        assertThat(first).isNotEqualTo(second);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        Path content = server.dir().resolve("media/content");
        try (var files = Files.walk(content)) {
            assertThat(files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().equals(sha)).count())
                    .isEqualTo(1);
        }
        // Each keeps its own metadata.
        assertThat(get(base, "/_matrix/client/v1/media/download/" + path(second), token).headers()
                .firstValue("Content-Disposition")).hasValue("attachment; filename=\"b.bin\"");
    }

    @Test
    void asyncUploadFlow() throws Exception {
        var created = dev.myelin.server.testing.MediaTestSupport.upload(base, "POST", "/_matrix/media/v1/create",
                token, "application/json", "{}".getBytes());
        assertThat(created.statusCode()).as(text(created)).isEqualTo(200);
        String mxc = json(created).path("content_uri").asText();
        long expires = json(created).path("unused_expires_at").asLong();
        assertThat(expires).isBetween(System.currentTimeMillis(), System.currentTimeMillis() + 4000);

        var notYet = get(base, "/_matrix/client/v1/media/download/" + path(mxc) + "?timeout_ms=100", token);
        assertThat(notYet.statusCode()).isEqualTo(504);
        assertThat(errcode(notYet)).isEqualTo("M_NOT_YET_UPLOADED");

        // A download that waits is answered as soon as the upload lands.
        var waiting = CompletableFuture.supplyAsync(() ->
                get(base, "/_matrix/client/v1/media/download/" + path(mxc) + "?timeout_ms=10000", token));
        Thread.sleep(200);

        String other = registerUser(client);
        var foreign = dev.myelin.server.testing.MediaTestSupport.upload(base, "PUT",
                "/_matrix/media/v3/upload/" + path(mxc), other, "text/plain", "not yours".getBytes());
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(errcode(foreign)).isEqualTo("M_FORBIDDEN");

        var put = dev.myelin.server.testing.MediaTestSupport.upload(base, "PUT",
                "/_matrix/media/v3/upload/" + path(mxc) + "?filename=later.txt", token, "text/plain", "later".getBytes());
        assertThat(put.statusCode()).as(text(put)).isEqualTo(200);
        assertThat(json(put).isObject()).isTrue();

        var woken = waiting.get(5, TimeUnit.SECONDS);
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(woken.body()).isEqualTo("later".getBytes());

        var again = dev.myelin.server.testing.MediaTestSupport.upload(base, "PUT",
                "/_matrix/media/v3/upload/" + path(mxc), token, "text/plain", "again".getBytes());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(errcode(again)).isEqualTo("M_CANNOT_OVERWRITE_MEDIA");

        var unknown = dev.myelin.server.testing.MediaTestSupport.upload(base, "PUT",
                "/_matrix/media/v3/upload/test.local/neverCreated", token, "text/plain", "x".getBytes());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(errcode(unknown)).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void pendingIdsAreLimitedAndExpire() throws Exception {
        String first = null;
        for (int i = 0; i < 3; i++) {
            var created = dev.myelin.server.testing.MediaTestSupport.upload(base, "POST", "/_matrix/media/v1/create",
                    token, null, new byte[0]);
            assertThat(created.statusCode()).isEqualTo(200);
            if (first == null) {
                first = json(created).path("content_uri").asText();
            }
        }
        var fourth = dev.myelin.server.testing.MediaTestSupport.upload(base, "POST", "/_matrix/media/v1/create",
                token, null, new byte[0]);
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(errcode(fourth)).isEqualTo("M_LIMIT_EXCEEDED");
        assertThat(json(fourth).path("retry_after_ms").asLong()).isPositive();

        Thread.sleep(3100);
        var late = dev.myelin.server.testing.MediaTestSupport.upload(base, "PUT",
                "/_matrix/media/v3/upload/" + path(first), token, "text/plain", "late".getBytes());
        assertThat(late.statusCode()).isEqualTo(404);
        assertThat(errcode(late)).isEqualTo("M_NOT_FOUND");
        assertThat(get(base, "/_matrix/client/v1/media/download/" + path(first), token).statusCode()).isEqualTo(404);
        // Expired ids no longer count, and the clean-up job forgets them.
        assertThat(dev.myelin.server.testing.MediaTestSupport.upload(base, "POST", "/_matrix/media/v1/create",
                token, null, new byte[0]).statusCode()).isEqualTo(200);
        assertThat(server.homeserver().media().retention().runOnce().pendingIds()).isGreaterThanOrEqualTo(3);
        String mediaId = path(first).substring(path(first).indexOf('/') + 1);
        assertThat(server.homeserver().media().service().store().find("test.local", mediaId)).isEmpty();
    }

    @Test
    void quotaPerUser() {
        byte[] three = new byte[3 << 20];
        uploadOk(token, "application/octet-stream", "", three);
        three[0] = 1;
        uploadOk(token, "application/octet-stream", "", three);
        three[0] = 2;
        var over = upload(token, "application/octet-stream", "", three);
        assertThat(over.statusCode()).isEqualTo(403);
        assertThat(errcode(over)).isEqualTo("M_FORBIDDEN");
        // Another user is not affected.
        uploadOk(registerUser(client), "application/octet-stream", "", three);
    }

    @Test
    void thumbnails() {
        String photo = uploadOk(token, "image/jpeg", "?filename=photo.jpg", jpeg(1000, 800));
        var crop = get(base, "/_matrix/client/v1/media/thumbnail/" + path(photo) + "?width=96&height=96&method=crop", token);
        assertThat(crop.statusCode()).as(text(crop)).isEqualTo(200);
        assertThat(crop.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(crop.headers().firstValue("Content-Disposition")).hasValue("inline; filename=\"thumbnail.jpg\"");
        BufferedImage cropped = decode(crop.body());
        assertThat(cropped.getWidth()).isEqualTo(96);
        assertThat(cropped.getHeight()).isEqualTo(96);

        // Between pre-generated sizes: served from the next larger one (never smaller than asked).
        var scale = get(base, "/_matrix/client/v1/media/thumbnail/" + path(photo) + "?width=300&height=200&method=scale", token);
        BufferedImage scaled = decode(scale.body());
        assertThat(scaled.getWidth()).isEqualTo(300);
        assertThat(scaled.getHeight()).isEqualTo(240);

        // An odd size is made on demand, then cached.
        var odd = get(base, "/_matrix/client/v1/media/thumbnail/" + path(photo) + "?width=900&height=700", token);
        BufferedImage oddImage = decode(odd.body());
        assertThat(oddImage.getWidth()).isEqualTo(875);
        assertThat(oddImage.getHeight()).isEqualTo(700);
        assertThat(get(base, "/_matrix/client/v1/media/thumbnail/" + path(photo) + "?width=900&height=700", token).body())
                .isEqualTo(odd.body());

        // Smaller than requested: the original.
        byte[] small = png(20, 10, false);
        String tiny = uploadOk(token, "image/png", "", small);
        var original = get(base, "/_matrix/client/v1/media/thumbnail/" + path(tiny) + "?width=64&height=64", token);
        assertThat(original.body()).isEqualTo(small);
        assertThat(original.headers().firstValue("Content-Type")).hasValue("image/png");

        // Transparency gives PNG.
        String clear = uploadOk(token, "image/png", "", png(400, 400, true));
        var transparent = get(base, "/_matrix/client/v1/media/thumbnail/" + path(clear) + "?width=32&height=32&method=crop", token);
        assertThat(transparent.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(decode(transparent.body()).getColorModel().hasAlpha()).isTrue();
    }

    @Test
    void thumbnailErrors() {
        String photo = uploadOk(token, "image/jpeg", "", jpeg(200, 100));
        String prefix = "/_matrix/client/v1/media/thumbnail/" + path(photo);
        assertThat(errcode(get(base, prefix + "?height=10", token))).isEqualTo("M_MISSING_PARAM");
        assertThat(errcode(get(base, prefix + "?width=-1&height=10", token))).isEqualTo("M_INVALID_PARAM");
        assertThat(errcode(get(base, prefix + "?width=1.5&height=10", token))).isEqualTo("M_INVALID_PARAM");
        assertThat(errcode(get(base, prefix + "?width=10&height=10&method=zoom", token))).isEqualTo("M_INVALID_PARAM");
        assertThat(errcode(get(base, prefix + "?width=10&height=10&animated=maybe", token))).isEqualTo("M_INVALID_PARAM");

        String textFile = uploadOk(token, "text/plain", "", "not an image".getBytes());
        var notImage = get(base, "/_matrix/client/v1/media/thumbnail/" + path(textFile) + "?width=10&height=10", token);
        assertThat(notImage.statusCode()).isEqualTo(400);

        String svg = uploadOk(token, "image/svg+xml", "", "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes());
        assertThat(get(base, "/_matrix/client/v1/media/thumbnail/" + path(svg) + "?width=10&height=10", token)
                .statusCode()).isEqualTo(400);
    }

    @Test
    void decompressionBombIsRefusedWithoutDecoding() {
        String bomb = uploadOk(token, "image/png", "", pngBomb(100_000, 100_000));
        long start = System.nanoTime();
        var response = get(base, "/_matrix/client/v1/media/thumbnail/" + path(bomb) + "?width=32&height=32", token);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(errcode(response)).isEqualTo("M_TOO_LARGE");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    }
}
