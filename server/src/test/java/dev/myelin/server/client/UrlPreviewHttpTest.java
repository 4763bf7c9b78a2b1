package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.myelin.server.http.Json;
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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.myelin.server.testing.MediaTestSupport.get;
import static dev.myelin.server.testing.MediaTestSupport.png;
import static dev.myelin.server.testing.MediaTestSupport.registerUser;
import static dev.myelin.server.testing.MediaTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * URL previews against a local web server on loopback, which the first homeserver allow-lists (127.0.0.1 only); the
 * second has no allow-list and must refuse loopback in every spelling.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class UrlPreviewHttpTest {
    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestHomeserver guarded;
    static HttpServer web;
    static String site;
    static int port;
    static final ConcurrentHashMap<String, AtomicInteger> HITS = new ConcurrentHashMap<>();
    static final byte[] IMAGE = png(120, 60, false);
    String token;
    String guardedToken;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/", UrlPreviewHttpTest::serve);
        web.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        web.start();
        port = web.getAddress().getPort();
        site = "http://127.0.0.1:" + port;
        server = TestHomeserver.start(backend, "registration.mode=open", "media.url_preview.enabled=true",
                "media.url_preview.ip_range_allowlist=[\"127.0.0.1/32\"]", "media.url_preview.timeout=2s",
                "media.url_preview.max_size=64K");
        guarded = TestHomeserver.start(backend, "registration.mode=open", "media.url_preview.enabled=true");
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        try {
            server.close();
            guarded.close();
        } finally {
            web.stop(0);
        }
    }

    @BeforeEach
    void users() {
        token = registerUser(server.client());
        guardedToken = registerUser(guarded.client());
    }

    private static void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        HITS.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        byte[] body;
        String type = "text/html; charset=utf-8";
        int status = 200;
        switch (path) {
            case "/page" -> body = """
                    <html><head><title>Fallback title</title>
                    <meta property="og:title" content="Myelin &amp; friends">
                    <meta property="og:description" content="A Matrix homeserver">
                    <meta property="og:image" content="/logo.png">
                    </head><body><h1>ignored</h1></body></html>""".getBytes(StandardCharsets.UTF_8);
            case "/plain" -> body = """
                    <html><head><title>Just a title</title><meta name="description" content="From meta"></head>
                    <body><p>text</p></body></html>""".getBytes(StandardCharsets.UTF_8);
            case "/latin1" -> {
                type = "text/html; charset=ISO-8859-1";
                body = "<html><head><title>Caf\u00e9</title></head></html>".getBytes(StandardCharsets.ISO_8859_1);
            }
            case "/logo.png", "/direct.png" -> {
                type = "image/png";
                body = IMAGE;
            }
            case "/redirect-ok" -> {
                exchange.getResponseHeaders().add("Location", "/plain");
                status = 302;
                body = new byte[0];
            }
            case "/redirect-loopback" -> {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.2:" + port + "/plain");
                status = 302;
                body = new byte[0];
            }
            case "/redirect-mapped" -> {
                exchange.getResponseHeaders().add("Location", "http://[::ffff:127.0.0.2]:" + port + "/plain");
                status = 301;
                body = new byte[0];
            }
            case "/loop" -> {
                exchange.getResponseHeaders().add("Location", "/loop");
                status = 302;
                body = new byte[0];
            }
            case "/slow" -> {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                body = "<html><title>late</title></html>".getBytes();
            }
            case "/huge" -> {
                // Beyond max_size: only the first 64 KiB are read; the title is at the start.
                var sb = new StringBuilder("<html><head><title>Huge</title></head><body>");
                sb.append("x".repeat(1 << 20));
                body = sb.toString().getBytes();
            }
            case "/missing" -> {
                status = 404;
                body = "no".getBytes();
            }
            default -> {
                status = 404;
                body = new byte[0];
            }
        }
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException clientGone) {
            // the homeserver stopped reading
        }
    }

    private static HttpResponse<byte[]> preview(TestHomeserver on, String token, String url) {
        return get(on.baseUrl(), "/_matrix/client/v1/media/preview_url?url="
                + URLEncoder.encode(url, StandardCharsets.UTF_8), token);
    }

    private static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(text(response), e);
        }
    }

    @Test
    void openGraphWithTheImageStoredAsMedia() {
        String url = site + "/page?v=" + backend;
        var response = preview(server, token, url);
        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        JsonNode og = json(response);
        assertThat(og.path("og:title").asText()).isEqualTo("Myelin & friends");
        assertThat(og.path("og:description").asText()).isEqualTo("A Matrix homeserver");
        String image = og.path("og:image").asText();
        assertThat(image).startsWith("mxc://test.local/");
        assertThat(og.path("og:image:type").asText()).isEqualTo("image/png");
        assertThat(og.path("matrix:image:size").asLong()).isEqualTo(IMAGE.length);
        assertThat(og.path("og:image:width").asInt()).isEqualTo(120);
        assertThat(og.path("og:image:height").asInt()).isEqualTo(60);
        var download = get(server.baseUrl(), "/_matrix/client/v1/media/download/" + image.substring(6), token);
        assertThat(download.body()).isEqualTo(IMAGE);

        // Cached: the page is not fetched again.
        int hits = HITS.get("/page").get();
        assertThat(json(preview(server, token, url)).path("og:image").asText()).isEqualTo(image);
        assertThat(HITS.get("/page").get()).isEqualTo(hits);
        // The legacy path answers too.
        var legacy = get(server.baseUrl(), "/_matrix/media/v3/preview_url?url="
                + URLEncoder.encode(url, StandardCharsets.UTF_8), token);
        assertThat(legacy.statusCode()).isEqualTo(200);
    }

    @Test
    void fallbacksCharsetsRedirectsAndImages() {
        JsonNode plain = json(preview(server, token, site + "/plain"));
        assertThat(plain.path("og:title").asText()).isEqualTo("Just a title");
        assertThat(plain.path("og:description").asText()).isEqualTo("From meta");
        assertThat(json(preview(server, token, site + "/latin1")).path("og:title").asText()).isEqualTo("Café");
        assertThat(json(preview(server, token, site + "/redirect-ok")).path("og:title").asText())
                .isEqualTo("Just a title");
        JsonNode direct = json(preview(server, token, site + "/direct.png"));
        assertThat(direct.path("og:image").asText()).startsWith("mxc://");
        assertThat(json(preview(server, token, site + "/huge")).path("og:title").asText()).isEqualTo("Huge");
    }

    @Test
    void failures() {
        var missing = preview(server, token, site + "/missing");
        assertThat(missing.statusCode()).isEqualTo(502);
        var loop = preview(server, token, site + "/loop");
        assertThat(loop.statusCode()).isEqualTo(502);
        long start = System.nanoTime();
        var slow = preview(server, token, site + "/slow");
        assertThat(slow.statusCode()).isEqualTo(502);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(4500);
        var ftp = preview(server, token, "ftp://127.0.0.1/file");
        assertThat(ftp.statusCode()).isEqualTo(400);
        assertThat(json(ftp).path("errcode").asText()).isEqualTo("M_INVALID_PARAM");
        var noToken = get(server.baseUrl(), "/_matrix/client/v1/media/preview_url?url=" + site, null);
        assertThat(noToken.statusCode()).isEqualTo(401);
        var noUrl = get(server.baseUrl(), "/_matrix/client/v1/media/preview_url", token);
        assertThat(json(noUrl).path("errcode").asText()).isEqualTo("M_MISSING_PARAM");
    }

    @Test
    void loopbackOutsideTheAllowListIsRefused() {
        for (String url : new String[]{"http://127.0.0.2:" + port + "/plain", "http://[::ffff:127.0.0.2]:" + port + "/plain",
                "http://[::1]:" + port + "/plain", site + "/redirect-loopback", site + "/redirect-mapped"}) {
            var response = preview(server, token, url);
            assertThat(response.statusCode()).as(url + " " + text(response)).isEqualTo(403);
            assertThat(json(response).path("errcode").asText()).isEqualTo("M_FORBIDDEN");
        }
    }

    @Test
    void withoutAnAllowListLoopbackIsRefusedInEverySpelling() {
        int before = HITS.values().stream().mapToInt(AtomicInteger::get).sum();
        for (String url : new String[]{site + "/plain", "http://[::ffff:127.0.0.1]:" + port + "/plain",
                "http://[::ffff:7f00:1]:" + port + "/plain", "http://localhost:" + port + "/plain",
                "http://0.0.0.0:" + port + "/plain", "http://[::]:" + port + "/plain",
                "http://2130706433:" + port + "/plain", "http://[64:ff9b::7f00:1]:" + port + "/plain"}) {
            var response = preview(guarded, guardedToken, url);
            assertThat(response.statusCode()).as(url + " " + text(response)).isIn(403, 502);
        }
        assertThat(preview(guarded, guardedToken, site + "/plain").statusCode()).isEqualTo(403);
        // Nothing reached the web server.
        assertThat(HITS.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(before);
    }
}
