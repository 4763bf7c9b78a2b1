package dev.myelin.server.testing;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers for media tests: users with access tokens, binary requests, and generated images. */
public final class MediaTestSupport {
    private static final AtomicInteger USERS = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MediaTestSupport() {
    }

    /** Registers a new user through the dummy flow (registration.mode=open); returns its access token. */
    public static String registerUser(TestClient client) {
        String name = "media" + USERS.incrementAndGet() + "x" + System.nanoTime() % 100000;
        String body = "{\"username\":\"" + name + "\",\"password\":\"correct horse battery\"";
        var first = client.request("POST", "/_matrix/client/v3/register", body + "}");
        assertThat(first.status()).as(first.body()).isEqualTo(401);
        String session = first.json().path("session").asText();
        var done = client.request("POST", "/_matrix/client/v3/register",
                body + ",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        return done.json().path("access_token").asText();
    }

    public static HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static HttpResponse<byte[]> get(String baseUrl, String path, String token) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).GET();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return send(builder.build());
    }

    public static HttpResponse<byte[]> upload(String baseUrl, String method, String path, String token,
                                              String contentType, byte[] body) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", "Bearer " + token);
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder.build());
    }

    public static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    public static byte[] jpeg(int width, int height) {
        return image(width, height, false, "jpeg");
    }

    public static byte[] png(int width, int height, boolean alpha) {
        return image(width, height, alpha, "png");
    }

    private static byte[] image(int width, int height, boolean alpha, String format) {
        var image = new BufferedImage(width, height, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(200, 30, 30, alpha ? 128 : 255), width, height,
                new Color(30, 30, 200, 255)));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.YELLOW);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        var out = new ByteArrayOutputStream();
        try {
            assertThat(ImageIO.write(image, format, out)).isTrue();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** A tiny PNG file whose header claims {@code width x height} pixels: a decompression bomb if decoded. */
    public static byte[] pngBomb(int width, int height) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        // A few rows of zeros, compressed: the rest of the image would be decompressed from nothing.
        var deflater = new Deflater(9);
        deflater.setInput(new byte[64 * 1024]);
        deflater.finish();
        byte[] buffer = new byte[4096];
        int n = deflater.deflate(buffer);
        byte[] idat = java.util.Arrays.copyOf(buffer, n);
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        var crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            return ImageIO.read(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
