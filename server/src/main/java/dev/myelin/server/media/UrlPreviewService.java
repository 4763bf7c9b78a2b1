package dev.myelin.server.media;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.media.preview.AddressGuard;
import dev.myelin.server.media.preview.GuardedHttpFetcher;
import dev.myelin.server.media.preview.OpenGraph;
import dev.myelin.server.storage.MediaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * GET /media/preview_url: fetches a page through the {@link GuardedHttpFetcher}, extracts its OpenGraph data, and
 * downloads its image into the media repository so that {@code og:image} becomes an {@code mxc://} URI. Results are
 * cached in the database; concurrent requests for the same URL share one fetch.
 */
public final class UrlPreviewService {
    private static final Logger LOG = LoggerFactory.getLogger(UrlPreviewService.class);
    private static final int MAX_URL = 2048;

    private final MediaService media;
    private final MediaStore store;
    private final GuardedHttpFetcher fetcher;
    private final MyelinConfig.UrlPreview config;
    private final Clock clock;
    private final ConcurrentHashMap<String, CompletableFuture<Map<String, Object>>> inFlight = new ConcurrentHashMap<>();

    public UrlPreviewService(MediaService media, MyelinConfig.UrlPreview config, Clock clock) {
        this(media, config, clock, new GuardedHttpFetcher(
                new AddressGuard(config.ipRangeAllowlist(), config.ipRangeDenylist()), config.maxRedirects(),
                config.timeoutMs(), config.userAgent()));
    }

    public UrlPreviewService(MediaService media, MyelinConfig.UrlPreview config, Clock clock,
                             GuardedHttpFetcher fetcher) {
        this.media = media;
        this.store = media.store();
        this.fetcher = fetcher;
        this.config = config;
        this.clock = clock;
    }

    public Map<String, Object> preview(String userId, String url) throws IOException, InterruptedException {
        if (url.length() > MAX_URL) {
            throw MatrixException.invalidParam("URL too long");
        }
        Optional<MediaStore.CachedPreview> cached = store.findPreview(url, clock.millis());
        if (cached.isPresent()) {
            return decode(cached.get().json());
        }
        var mine = new CompletableFuture<Map<String, Object>>();
        CompletableFuture<Map<String, Object>> running = inFlight.putIfAbsent(url, mine);
        if (running != null) {
            try {
                return running.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IOException(e.getCause());
            }
        }
        try {
            Map<String, Object> preview = fetchPreview(userId, url);
            long now = clock.millis();
            store.putPreview(new MediaStore.CachedPreview(url, Json.MAPPER.writeValueAsString(preview), now,
                    now + config.cacheMs()));
            mine.complete(preview);
            return preview;
        } catch (RuntimeException | IOException | InterruptedException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(url, mine);
        }
    }

    private static Map<String, Object> decode(String json) throws JsonProcessingException {
        return Json.MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {
        });
    }

    private Map<String, Object> fetchPreview(String userId, String url) throws IOException, InterruptedException {
        try (GuardedHttpFetcher.Fetched page = fetcher.fetch(url)) {
            if (page.status() < 200 || page.status() >= 300) {
                throw new MatrixException(502, ErrorCode.M_UNKNOWN, "The URL answered HTTP " + page.status());
            }
            String type = page.contentType().map(ContentTypes::essence).orElse("");
            var preview = new LinkedHashMap<String, Object>();
            if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
                Map<String, String> og = OpenGraph.parse(limited(page.body()), charset(page.contentType()),
                        page.uri().toString());
                preview.putAll(og);
                String image = og.get("og:image");
                if (image != null) {
                    preview.remove("og:image");
                    imageInto(preview, userId, image);
                }
            } else if (type.startsWith("image/")) {
                storeImage(preview, userId, page);
            }
            return preview;
        }
    }

    private InputStream limited(InputStream in) {
        return new java.io.FilterInputStream(in) {
            private long remaining = config.maxSize();

            @Override
            public int read() throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                remaining--;
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, remaining));
                if (n > 0) {
                    remaining -= n;
                }
                return n;
            }
        };
    }

    private static Optional<String> charset(Optional<String> contentType) {
        if (contentType.isEmpty()) {
            return Optional.empty();
        }
        for (String part : contentType.get().split(";")) {
            String trimmed = part.trim();
            if (trimmed.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                String name = trimmed.substring(8).replace("\"", "").trim();
                try {
                    return Charset.isSupported(name) ? Optional.of(name) : Optional.empty();
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** Downloads the page's image into the media repository; a failure just leaves the image out. */
    private void imageInto(Map<String, Object> preview, String userId, String imageUrl) throws InterruptedException {
        try (GuardedHttpFetcher.Fetched image = fetcher.fetch(imageUrl)) {
            if (image.status() >= 200 && image.status() < 300
                    && image.contentType().map(ContentTypes::essence).orElse("").startsWith("image/")) {
                storeImage(preview, userId, image);
            }
        } catch (MatrixException | IOException e) {
            LOG.debug("Preview image {} skipped: {}", imageUrl, e.getMessage());
        }
    }

    private void storeImage(Map<String, Object> preview, String userId, GuardedHttpFetcher.Fetched image)
            throws IOException {
        String path = image.uri().getPath();
        Optional<String> name = path == null || path.endsWith("/") ? Optional.empty()
                : Optional.of(path.substring(path.lastIndexOf('/') + 1)).filter(n -> !n.isEmpty() && n.length() < 200);
        MediaStore.Media stored;
        try {
            stored = media.storeFetched(userId, image.contentType(), name, image.body(), config.maxSize());
        } catch (MatrixException tooLarge) {
            return;
        }
        preview.put("og:image", "mxc://" + stored.serverName() + "/" + stored.mediaId());
        stored.contentType().ifPresent(type -> preview.put("og:image:type", type));
        preview.put("matrix:image:size", stored.size());
        stored.width().ifPresent(width -> preview.put("og:image:width", width));
        stored.height().ifPresent(height -> preview.put("og:image:height", height));
    }
}
