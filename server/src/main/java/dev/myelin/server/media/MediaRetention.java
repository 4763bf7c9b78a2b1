package dev.myelin.server.media;

import dev.myelin.server.config.MyelinConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * The periodic clean-up of the media repository, on a virtual thread: forgets asynchronous upload ids whose time ran
 * out, deletes media not downloaded within its configured lifetime (local and remote separately; both off by
 * default), with the files and thumbnails nobody else uses, and drops expired URL previews.
 */
public final class MediaRetention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaRetention.class);
    private static final int BATCH = 500;

    private final MediaService media;
    private final MyelinConfig.Media config;
    private final Clock clock;
    private Thread thread;

    public MediaRetention(MediaService media, MyelinConfig.Media config, Clock clock) {
        this.media = media;
        this.config = config;
        this.clock = clock;
    }

    /** What one run removed. */
    public record Result(int pendingIds, int media, int previews) {
    }

    public MediaRetention start() {
        thread = Thread.ofVirtual().name("media-retention").start(this::loop);
        return this;
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(config.cleanupIntervalMs());
                Result result = runOnce();
                if (result.pendingIds() + result.media() + result.previews() > 0) {
                    LOG.info("Media clean-up: {} unused upload ids, {} media, {} URL previews removed",
                            result.pendingIds(), result.media(), result.previews());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Media clean-up failed; trying again next time", e);
            }
        }
    }

    /** One clean-up pass. */
    public Result runOnce() {
        long now = clock.millis();
        int pending = media.store().deletePendingExpired(now);
        int deleted = 0;
        if (config.localMediaLifetimeMs() > 0) {
            deleted += expire(true, now - config.localMediaLifetimeMs());
        }
        if (config.remoteMediaLifetimeMs() > 0) {
            deleted += expire(false, now - config.remoteMediaLifetimeMs());
        }
        int previews = media.store().deleteExpiredPreviews(now);
        return new Result(pending, deleted, previews);
    }

    private int expire(boolean local, long before) {
        int total = 0;
        while (true) {
            List<String> hashes = media.store().deleteNotAccessedSince(media.serverName(), local, before, BATCH);
            for (String sha256 : hashes) {
                try {
                    media.deleteIfUnreferenced(sha256);
                } catch (IOException e) {
                    LOG.warn("Could not delete media file {}: {}", sha256, e.toString());
                }
            }
            total += hashes.size();
            if (hashes.size() < BATCH) {
                return total;
            }
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
