package dev.myelin.server.media;

import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.MediaStore;
import dev.myelin.server.storage.MediaStore.Media;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Media of other servers, fetched from its origin when first asked for and kept like local media (same
 * content-addressed files, a {@code remote} row under the origin's server name). Each file is fetched once however
 * many clients ask at the same time. The cache's total size is bounded by {@code media.remote_cache_size}: past it,
 * the remote media least recently downloaded is deleted; {@code media.remote_media_lifetime} also applies.
 */
final class RemoteMediaCache {
    /** Evicted one at a time (least recently downloaded first) while the cache is over its size. */
    private static final int EVICTION_BATCH = 1;

    private final MediaService media;
    private final RemoteMediaSource source;
    private final MyelinConfig.Media config;
    private final Clock clock;
    private final Map<String, CompletableFuture<Media>> inFlight = new ConcurrentHashMap<>();

    RemoteMediaCache(MediaService media, RemoteMediaSource source, MyelinConfig.Media config, Clock clock) {
        this.media = media;
        this.source = source;
        this.config = config;
        this.clock = clock;
    }

    /** The cached media, or fetched now. */
    Media resolve(String server, String mediaId, long timeoutMs) throws InterruptedException {
        Optional<Media> cached = cached(server, mediaId);
        if (cached.isPresent()) {
            return cached.get();
        }
        String key = server + "/" + mediaId;
        var mine = new CompletableFuture<Media>();
        CompletableFuture<Media> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return join(running);
        }
        try {
            Media fetched = cached(server, mediaId).orElse(null);
            if (fetched == null) {
                fetched = fetch(server, mediaId, timeoutMs);
            }
            mine.complete(fetched);
            return fetched;
        } catch (RuntimeException | InterruptedException e) {
            mine.completeExceptionally(e);
            throw e;
        } catch (IOException e) {
            var failed = new MatrixException(502, dev.myelin.server.http.ErrorCode.M_UNKNOWN,
                    "Could not store the remote media");
            mine.completeExceptionally(failed);
            throw failed;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private Optional<Media> cached(String server, String mediaId) {
        Optional<Media> row = media.store().find(server, mediaId).filter(Media::uploaded)
                .filter(found -> Files.exists(media.files().contentPath(found.sha256().orElseThrow())));
        row.ifPresent(found -> {
            if (found.lastAccessTs() < clock.millis() - 3_600_000L) {
                media.store().touch(server, mediaId, clock.millis());
            }
        });
        return row;
    }

    private Media fetch(String server, String mediaId, long timeoutMs) throws IOException, InterruptedException {
        try (RemoteMediaSource.Fetched fetched = source.fetch(server, mediaId, timeoutMs,
                config.maxRemoteDownloadSize(), media.files())) {
            MediaStore.Content content = media.describe(fetched.staged(), fetched.contentType(), fetched.fileName());
            media.placeRemote(fetched.staged(), server, mediaId, content);
        }
        evictOverLimit();
        return media.store().find(server, mediaId)
                .orElseThrow(() -> MatrixException.notFound("Media not found"));
    }

    /** Deletes the least recently downloaded remote media while the cache is larger than allowed. */
    private void evictOverLimit() throws IOException {
        if (config.remoteCacheSize() <= 0) {
            return;
        }
        while (media.store().remoteBytes(media.serverName()) > config.remoteCacheSize()) {
            List<String> deleted = media.store().deleteNotAccessedSince(media.serverName(), false, Long.MAX_VALUE,
                    EVICTION_BATCH);
            if (deleted.isEmpty()) {
                return;
            }
            for (String sha : deleted) {
                media.deleteIfUnreferenced(sha);
            }
        }
    }

    private static Media join(CompletableFuture<Media> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new MatrixException(502, dev.myelin.server.http.ErrorCode.M_UNKNOWN, "Could not fetch the media");
        }
    }
}
