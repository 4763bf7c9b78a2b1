package dev.myelin.server.federation.media;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.federation.transport.FederationHttp;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.media.ContentDisposition;
import dev.myelin.server.media.MediaFiles;
import dev.myelin.server.media.RemoteMediaSource;
import dev.myelin.server.media.preview.GuardedHttpFetcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Fetches other servers' media over federation (spec: server-server-api "Content Repository"):
 * {@code GET /_matrix/federation/v1/media/download/{mediaId}}, whose multipart/mixed answer holds a JSON part and
 * then either the content or a {@code Location} to fetch it from. A server that answers 404 M_UNRECOGNIZED predates
 * those endpoints: the spec has us fall back to its deprecated {@code /_matrix/media/v3/download} with
 * {@code allow_remote=false}. The origin's errors become the client's (404, 504 M_NOT_YET_UPLOADED, 502 M_TOO_LARGE,
 * 502 M_UNKNOWN).
 */
public final class FederationMediaSource implements RemoteMediaSource {
    private static final int MAX_JSON_BYTES = 64 * 1024;
    private static final long REDIRECT_TIMEOUT_MS = 120_000;

    private final FederationClient client;
    private final GuardedHttpFetcher redirects;

    /** {@code redirects} fetches a {@code Location} given in place of the content (guarded against SSRF). */
    public FederationMediaSource(FederationClient client, GuardedHttpFetcher redirects) {
        this.client = client;
        this.redirects = redirects;
    }

    /** The source a homeserver uses: its federation client; redirects guarded like federation requests. */
    public static FederationMediaSource over(dev.myelin.server.Federation federation,
                                             dev.myelin.server.config.MyelinConfig config) {
        return new FederationMediaSource(federation.client(), new GuardedHttpFetcher(
                FederationHttp.guard(config.federation().allowPrivateAddresses()), 5, REDIRECT_TIMEOUT_MS,
                "Myelin (Matrix homeserver " + config.serverName() + ")"));
    }

    @Override
    public Fetched fetch(String server, String mediaId, long timeoutMs, long maxBytes, MediaFiles files)
            throws IOException, InterruptedException {
        String id = URLEncoder.encode(mediaId, StandardCharsets.UTF_8);
        try (FederationHttp.Streamed answer = client.download(server,
                "/_matrix/federation/v1/media/download/" + id + "?timeout_ms=" + timeoutMs)) {
            if (answer.status() == 200) {
                return multipart(answer, maxBytes, files);
            }
            Optional<String> errcode = errcode(answer.body());
            if (answer.status() == 404 && errcode.equals(Optional.of("M_UNRECOGNIZED"))) {
                return legacy(server, id, timeoutMs, maxBytes, files);
            }
            throw asClientError(answer.status(), errcode);
        } catch (FederationException e) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, "Could not reach " + server + " for the media");
        }
    }

    private Fetched legacy(String server, String id, long timeoutMs, long maxBytes, MediaFiles files)
            throws IOException, FederationException {
        try (FederationHttp.Streamed answer = client.download(server, "/_matrix/media/v3/download/"
                + URLEncoder.encode(server, StandardCharsets.UTF_8) + "/" + id
                + "?allow_remote=false&timeout_ms=" + timeoutMs)) {
            if (answer.status() != 200) {
                throw asClientError(answer.status(), errcode(answer.body()));
            }
            checkLength(answer.header("Content-Length"), maxBytes);
            return new Fetched(stage(files, answer.body(), maxBytes), answer.header("Content-Type"),
                    ContentDisposition.fileName(answer.header("Content-Disposition")));
        }
    }

    private Fetched multipart(FederationHttp.Streamed answer, long maxBytes, MediaFiles files)
            throws IOException, InterruptedException {
        checkLength(answer.header("Content-Length"), maxBytes + MAX_JSON_BYTES);
        String boundary = boundary(answer.header("Content-Type").orElse(""))
                .orElseThrow(() -> malformed("not multipart/mixed with a boundary"));
        var reader = new MultipartReader(answer.body(), boundary);
        try {
            if (!reader.first()) {
                throw malformed("no parts");
            }
            reader.headers();
            var json = new ByteArrayOutputStream();
            reader.copyPart(json, MAX_JSON_BYTES);
            JsonNode metadata = Json.MAPPER.readTree(json.toByteArray());
            if (metadata == null || !metadata.isObject()) {
                throw malformed("the first part is not a JSON object");
            }
            if (!reader.afterDelimiter()) {
                throw malformed("no content part");
            }
            Map<String, String> headers = reader.headers();
            if (headers.containsKey("location")) {
                return redirected(headers.get("location"), maxBytes, files);
            }
            MediaFiles.Staged staged = files.stage(out -> reader.copyPart(out, maxBytes));
            return new Fetched(staged, Optional.ofNullable(headers.get("content-type")),
                    ContentDisposition.fileName(Optional.ofNullable(headers.get("content-disposition"))));
        } catch (MultipartReader.PartTooLargeException e) {
            throw tooLarge();
        } catch (MultipartReader.MalformedMultipartException | com.fasterxml.jackson.core.JacksonException e) {
            throw malformed(e.getMessage());
        }
    }

    /** Spec: the Location's URL is fetched as is; it is not cached. */
    private Fetched redirected(String location, long maxBytes, MediaFiles files)
            throws IOException, InterruptedException {
        try (GuardedHttpFetcher.Fetched fetched = redirects.fetch(location)) {
            if (fetched.status() != 200) {
                throw new MatrixException(502, ErrorCode.M_UNKNOWN,
                        "The media's location answered " + fetched.status());
            }
            return new Fetched(stage(files, fetched.body(), maxBytes), fetched.contentType(), Optional.empty());
        }
    }

    private static MediaFiles.Staged stage(MediaFiles files, InputStream body, long maxBytes) throws IOException {
        return files.stage(out -> {
            long copied = 0;
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = body.read(buffer)) > 0) {
                copied += n;
                if (copied > maxBytes) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
        });
    }

    private static void checkLength(Optional<String> contentLength, long maxBytes) {
        try {
            if (contentLength.isPresent() && Long.parseLong(contentLength.get().trim()) > maxBytes) {
                throw tooLarge();
            }
        } catch (NumberFormatException ignored) {
            // counted while reading
        }
    }

    /** The boundary parameter of a multipart/mixed content type. */
    static Optional<String> boundary(String contentType) {
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("multipart/mixed")) {
            return Optional.empty();
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String value = parameter.substring(9).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() || value.length() > 70 ? Optional.empty() : Optional.of(value);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> errcode(InputStream body) {
        try {
            JsonNode json = Json.MAPPER.readTree(body.readNBytes(MAX_JSON_BYTES));
            return json == null ? Optional.empty() : Optional.ofNullable(json.path("errcode").textValue());
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }

    private static MatrixException asClientError(int status, Optional<String> errcode) {
        if (status == 404) {
            return MatrixException.notFound("Media not found on its server");
        }
        if (errcode.equals(Optional.of("M_NOT_YET_UPLOADED"))) {
            return new MatrixException(504, ErrorCode.M_NOT_YET_UPLOADED, "Content has not yet been uploaded");
        }
        if (errcode.equals(Optional.of("M_TOO_LARGE"))) {
            return tooLarge();
        }
        return new MatrixException(502, ErrorCode.M_UNKNOWN, "The media's server answered " + status);
    }

    private static MatrixException tooLarge() {
        return new MatrixException(502, ErrorCode.M_TOO_LARGE, "Content is too large to serve");
    }

    private static MatrixException malformed(String why) {
        return new MatrixException(502, ErrorCode.M_UNKNOWN, "The media's server answered badly: " + why);
    }
}
