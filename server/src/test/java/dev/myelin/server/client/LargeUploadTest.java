package dev.myelin.server.client;

import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.MediaTestSupport;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 100 MB upload and download, streamed on both sides. Surefire runs this class in its own JVM with a 128 MB heap
 * (server/pom.xml), so holding the file in memory anywhere would fail it; the peak heap seen is also asserted and
 * printed with the throughput. Also checks the default freeze of the unauthenticated endpoints.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class LargeUploadTest {
    static final long SIZE = 100L * 1000 * 1000;

    @Parameter
    Backend backend;

    static TestHomeserver server;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open", "media.max_upload_size=200M");
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    /** Deterministic pseudo-random bytes, generated as they are read. */
    static final class Generated extends InputStream {
        private long remaining;
        private long state = 0x9E3779B97F4A7C15L;

        Generated(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(length, remaining);
            for (int i = 0; i < n; i++) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                buffer[offset + i] = (byte) state;
            }
            remaining -= n;
            return n;
        }
    }

    @Test
    void hundredMegabytesStreamWithAFlatHeap() throws Exception {
        String token = MediaTestSupport.registerUser(server.client());
        var memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        var peak = new AtomicLong(baseline);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long start = System.nanoTime();
        var upload = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/_matrix/media/v3/upload?filename=big.bin"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.security.DigestInputStream(new Generated(SIZE), sent)), SIZE))
                .build(), HttpResponse.BodyHandlers.ofString());
        double uploadSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
        String mxc = dev.myelin.server.http.Json.MAPPER.readTree(upload.body()).path("content_uri").asText();

        start = System.nanoTime();
        var download = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                        + "/_matrix/client/v1/media/download/" + mxc.substring(6)))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long length = 0;
        try (InputStream in = download.body()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received.update(buffer, 0, n);
                length += n;
            }
        }
        double downloadSeconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();

        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(length).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
        long growth = peak.get() - baseline;
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf("MEDIA-FIGURES %s: upload %.0f MB/s, download %.0f MB/s, peak heap growth %d MB"
                        + " (max heap %d MB), load average %.2f%n", backend, SIZE / 1e6 / uploadSeconds,
                SIZE / 1e6 / downloadSeconds, growth >> 20, Runtime.getRuntime().maxMemory() >> 20, load);
        if (Runtime.getRuntime().maxMemory() <= 256L << 20) {
            // In the small-heap fork (server/pom.xml): garbage is collected often, so the growth is what is live.
            assertThat(growth).isLessThan(SIZE / 2);
        }
    }

    @Test
    void unauthenticatedEndpointsAreFrozenByDefault() {
        String token = MediaTestSupport.registerUser(server.client());
        var upload = MediaTestSupport.upload(server.baseUrl(), "POST", "/_matrix/media/v3/upload", token, "image/png",
                MediaTestSupport.png(64, 64, false));
        String mxc = MediaTestSupport.text(upload).replaceAll(".*\"(mxc://[^\"]+)\".*", "$1");
        for (String path : new String[]{"/_matrix/media/v3/download/", "/_matrix/media/v3/thumbnail/"}) {
            var legacy = MediaTestSupport.get(server.baseUrl(), path + mxc.substring(6) + "?width=32&height=32", null);
            assertThat(legacy.statusCode()).as(path).isEqualTo(404);
            assertThat(MediaTestSupport.text(legacy)).contains("M_NOT_FOUND");
        }
        assertThat(MediaTestSupport.get(server.baseUrl(), "/_matrix/client/v1/media/thumbnail/" + mxc.substring(6)
                + "?width=32&height=32", token).statusCode()).isEqualTo(200);
        // Previews are off unless configured.
        assertThat(MediaTestSupport.get(server.baseUrl(), "/_matrix/client/v1/media/preview_url?url=http://example.org",
                token).statusCode()).isEqualTo(404);
    }
}
