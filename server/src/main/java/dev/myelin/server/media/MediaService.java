package dev.myelin.server.media;

import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.MediaStore;
import dev.myelin.server.storage.MediaStore.Content;
import dev.myelin.server.storage.MediaStore.Kind;
import dev.myelin.server.storage.MediaStore.Media;
import dev.myelin.server.storage.MediaStore.Thumbnail;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.ServerName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The media repository: uploads (direct and asynchronous), downloads, thumbnails and the release of files nobody
 * uses any more. Files are content-addressed ({@link MediaFiles}); metadata goes through {@link MediaStore}, one
 * transaction per change. A file is placed and its row inserted (or its last row deleted and the file removed) under
 * a lock for its hash, so de-duplication never races with deletion.
 */
public final class MediaService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaService.class);
    /** The longest a download waits for an asynchronous upload, whatever timeout_ms asks. */
    public static final long MAX_WAIT_MS = 60_000;
    public static final long DEFAULT_WAIT_MS = 20_000;
    private static final long RECHECK_MS = 1_000;
    /** animated=true serves an animated original up to this size instead of a still thumbnail. */
    private static final long MAX_ANIMATED_ORIGINAL = 8L << 20;
    private static final int MAX_FILE_NAME = 1024;

    private final String serverName;
    private final MediaStore store;
    private final MediaFiles files;
    private final Thumbnailer thumbnailer;
    private final MyelinConfig.Media config;
    private final Clock clock;
    private final UploadWaiters waiters = new UploadWaiters();
    private final ReentrantLock[] fileLocks = new ReentrantLock[64];
    /** Thumbnailing is CPU-bound: at most this many at once, whatever the number of requests. */
    private final Semaphore thumbnailSlots = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    private final Map<String, CompletableFuture<Thumbnail>> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final RemoteMediaCache remote;

    public MediaService(String serverName, MediaStore store, MediaFiles files, MyelinConfig.Media config, Clock clock,
                        RemoteMediaSource remoteSource) {
        this.serverName = serverName;
        this.remote = new RemoteMediaCache(this, remoteSource, config, clock);
        this.store = store;
        this.files = files;
        this.thumbnailer = new Thumbnailer(config.maxImagePixels());
        this.config = config;
        this.clock = clock;
        for (int i = 0; i < fileLocks.length; i++) {
            fileLocks[i] = new ReentrantLock();
        }
    }

    public String serverName() {
        return serverName;
    }

    public long maxUploadSize() {
        return config.maxUploadSize();
    }

    /** What is sent for a download or thumbnail. */
    public record Download(Path file, long size, String contentType, Optional<String> fileName) {
    }

    public record Created(String contentUri, long unusedExpiresAt) {
    }

    private String mxc(String mediaId) {
        return "mxc://" + serverName + "/" + mediaId;
    }

    // ---- uploads ----

    /** POST /media/v3/upload: stores the body and returns its new mxc:// URI. */
    public String upload(String userId, Optional<String> contentType, Optional<String> fileName, long declaredLength,
                         InputStream body) throws IOException {
        checkFileName(fileName);
        checkDeclared(userId, declaredLength);
        String mediaId = MediaIds.generate();
        try (MediaFiles.Staged staged = files.stage(body, config.maxUploadSize())) {
            Content content = describe(staged, contentType, fileName);
            boolean stored = withFileLock(staged.sha256(), () -> {
                files.commit(staged);
                boolean inserted = false;
                try {
                    inserted = store.insertUploaded(serverName, mediaId, Optional.of(userId), Kind.UPLOAD, content,
                            clock.millis(), config.uploadQuotaPerUser());
                } finally {
                    if (!inserted) {
                        deleteIfUnreferenced(staged.sha256());
                    }
                }
                return inserted;
            });
            if (!stored) {
                throw quotaExceeded();
            }
            pregenerateThumbnails(content);
        }
        return mxc(mediaId);
    }

    /** Stores content fetched by the server itself (URL preview images); not counted in any quota. */
    public Media storeFetched(String userId, Optional<String> contentType, Optional<String> fileName, InputStream body,
                              long maxBytes) throws IOException {
        String mediaId = MediaIds.generate();
        try (MediaFiles.Staged staged = files.stage(body, maxBytes)) {
            Content content = describe(staged, contentType, fileName);
            withFileLock(staged.sha256(), () -> {
                files.commit(staged);
                boolean inserted = false;
                try {
                    inserted = store.insertUploaded(serverName, mediaId, Optional.of(userId), Kind.PREVIEW, content,
                            clock.millis(), 0);
                } finally {
                    if (!inserted) {
                        deleteIfUnreferenced(staged.sha256());
                    }
                }
                return inserted;
            });
            pregenerateThumbnails(content);
        }
        return store.find(serverName, mediaId).orElseThrow();
    }

    /** POST /media/v1/create. */
    public Created create(String userId) {
        long now = clock.millis();
        long expires = now + config.unusedIdLifetimeMs();
        String mediaId = MediaIds.generate();
        Optional<Long> earliest = store.createPending(serverName, mediaId, userId, now, expires,
                config.maxPendingUploads());
        if (earliest.isPresent()) {
            throw new MatrixException(429, ErrorCode.M_LIMIT_EXCEEDED,
                    "Too many pending uploads: upload to the media ids you created first",
                    Map.of("retry_after_ms", Math.max(1, earliest.get() - now)));
        }
        return new Created(mxc(mediaId), expires);
    }

    /** PUT /media/v3/upload/{serverName}/{mediaId}. */
    public void uploadTo(String userId, String server, String mediaId, Optional<String> contentType,
                         Optional<String> fileName, long declaredLength, InputStream body) throws IOException {
        checkFileName(fileName);
        if (!server.equals(serverName) || !MediaIds.valid(mediaId)) {
            throw MatrixException.notFound("Unknown media ID");
        }
        // Refuse early, before reading a byte of the body; checked again in the transaction that fills the id.
        Media pending = store.find(server, mediaId).orElseThrow(() -> MatrixException.notFound("Unknown media ID"));
        if (pending.uploaded()) {
            throw cannotOverwrite();
        }
        if (pending.unusedExpiresTs().orElse(0L) <= clock.millis()) {
            throw MatrixException.notFound("Media ID has expired");
        }
        if (!pending.userId().equals(Optional.of(userId))) {
            throw MatrixException.forbidden("Only the user who created this media ID may upload to it");
        }
        checkDeclared(userId, declaredLength);
        try (MediaFiles.Staged staged = files.stage(body, config.maxUploadSize())) {
            Content content = describe(staged, contentType, fileName);
            MediaStore.FillResult result = withFileLock(staged.sha256(), () -> {
                files.commit(staged);
                MediaStore.FillResult fill = MediaStore.FillResult.NOT_FOUND;
                try {
                    fill = store.fillPending(server, mediaId, userId, content, clock.millis(),
                            config.uploadQuotaPerUser());
                } finally {
                    if (fill != MediaStore.FillResult.OK) {
                        deleteIfUnreferenced(staged.sha256());
                    }
                }
                return fill;
            });
            switch (result) {
                case OK -> {
                    waiters.uploaded(mediaId);
                    pregenerateThumbnails(content);
                }
                case NOT_FOUND -> throw MatrixException.notFound("Unknown media ID");
                case NOT_CREATOR -> throw MatrixException.forbidden("Only the user who created this media ID may upload to it");
                case ALREADY_UPLOADED -> throw cannotOverwrite();
                case QUOTA_EXCEEDED -> throw quotaExceeded();
            }
        }
    }

    private static MatrixException cannotOverwrite() {
        return new MatrixException(409, ErrorCode.M_CANNOT_OVERWRITE_MEDIA, "Media already uploaded");
    }

    private static MatrixException quotaExceeded() {
        // Spec: content repo security considerations, and the upload endpoints' 403 "reached a quota".
        return MatrixException.forbidden("Upload quota exceeded: delete some media or ask the server admin");
    }

    private void checkDeclared(String userId, long declaredLength) {
        if (declaredLength > config.maxUploadSize()) {
            throw MatrixException.tooLarge("Cannot upload files larger than " + config.maxUploadSize() + " bytes");
        }
        if (config.uploadQuotaPerUser() > 0 && declaredLength > 0
                && store.usedBytes(userId) + declaredLength > config.uploadQuotaPerUser()) {
            throw quotaExceeded();
        }
    }

    private static void checkFileName(Optional<String> fileName) {
        if (fileName.isPresent() && (fileName.get().length() > MAX_FILE_NAME
                || fileName.get().chars().anyMatch(Character::isISOControl))) {
            throw MatrixException.invalidParam("filename must be at most " + MAX_FILE_NAME
                    + " characters without control characters");
        }
    }

    Content describe(MediaFiles.Staged staged, Optional<String> contentType, Optional<String> fileName)
            throws IOException {
        String type = ContentTypes.verified(ContentTypes.clean(contentType), staged.file());
        Optional<Integer> width = Optional.empty();
        Optional<Integer> height = Optional.empty();
        if (ContentTypes.decodableImage(type)) {
            var info = ImageProbe.probe(staged.file());
            if (info.isPresent()) {
                width = Optional.of(info.get().width());
                height = Optional.of(info.get().height());
            }
        }
        return new Content(Optional.of(type), fileName.filter(name -> !name.isEmpty()), staged.sha256(),
                staged.size(), width, height);
    }

    /** Places a fetched copy of another server's media and records it (replacing any earlier row). */
    void placeRemote(MediaFiles.Staged staged, String server, String mediaId, Content content) throws IOException {
        withFileLock(staged.sha256(), () -> {
            files.commit(staged);
            store.putRemote(server, mediaId, content, clock.millis());
            return null;
        });
    }

    // ---- downloads ----

    /** The media behind an mxc:// URI, waiting up to {@code timeoutMs} for an asynchronous upload. */
    public Media resolve(String server, String mediaId, long timeoutMs, boolean legacy) throws InterruptedException {
        try {
            ServerName.parse(server);
        } catch (InvalidIdentifierException e) {
            throw MatrixException.notFound("Not a valid server name");
        }
        if (!MediaIds.valid(mediaId)) {
            throw MatrixException.notFound("Not a valid media ID");
        }
        if (!server.equals(serverName)) {
            if (legacy) {
                // Remote media is only fetched since the 1.11 freeze, so the unauthenticated endpoints serve none.
                throw MatrixException.notFound("Media not found: this server only serves remote media through the"
                        + " authenticated /_matrix/client/v1/media endpoints");
            }
            return remote.resolve(server, mediaId, timeoutMs);
        }
        long deadline = System.nanoTime() + Math.min(Math.max(0, timeoutMs), MAX_WAIT_MS) * 1_000_000;
        while (true) {
            Media media = store.find(server, mediaId).orElseThrow(() -> MatrixException.notFound("Media not found"));
            if (legacy && media.createdTs() >= config.legacyFrozenSinceMs()) {
                throw MatrixException.notFound("Media not found: this server only serves it through the"
                        + " authenticated /_matrix/client/v1/media endpoints");
            }
            if (media.uploaded()) {
                if (media.lastAccessTs() < clock.millis() - 3_600_000L) {
                    store.touch(server, mediaId, clock.millis());
                }
                return media;
            }
            if (media.unusedExpiresTs().orElse(0L) <= clock.millis()) {
                throw MatrixException.notFound("Media not found");
            }
            long remaining = (deadline - System.nanoTime()) / 1_000_000;
            if (remaining <= 0) {
                throw new MatrixException(504, ErrorCode.M_NOT_YET_UPLOADED, "Content has not yet been uploaded");
            }
            waiters.await(mediaId, Math.min(remaining, RECHECK_MS));
        }
    }

    public Download download(String server, String mediaId, long timeoutMs, boolean legacy)
            throws InterruptedException {
        Media media = resolve(server, mediaId, timeoutMs, legacy);
        Path file = files.contentPath(media.sha256().orElseThrow());
        if (!Files.exists(file)) {
            throw MatrixException.notFound("Media not found");
        }
        return new Download(file, media.size(), media.contentType().orElse(ContentTypes.OCTET_STREAM),
                media.uploadName());
    }

    // ---- thumbnails ----

    public Download thumbnail(String server, String mediaId, int width, int height, boolean crop, boolean animated,
                              long timeoutMs, boolean legacy) throws InterruptedException, IOException {
        Media media = resolve(server, mediaId, timeoutMs, legacy);
        String type = ContentTypes.essence(media.contentType().orElse(ContentTypes.OCTET_STREAM));
        if (!ContentTypes.decodableImage(type) || media.width().isEmpty() || media.height().isEmpty()) {
            throw new MatrixException(400, ErrorCode.M_UNKNOWN, "Cannot generate thumbnails for the requested content");
        }
        if ((long) media.width().get() * media.height().get() > config.maxImagePixels()) {
            throw MatrixException.tooLarge("Content is too large to thumbnail");
        }
        String sha = media.sha256().orElseThrow();
        Path original = files.contentPath(sha);
        if (!Files.exists(original)) {
            throw MatrixException.notFound("Media not found");
        }
        boolean animatable = type.equals("image/gif") || type.equals("image/webp");
        if (animated && animatable && media.size() <= MAX_ANIMATED_ORIGINAL) {
            // The original is a valid (larger or equal) thumbnail and keeps its animation.
            return new Download(original, media.size(), type, Optional.of("thumbnail." + type.substring(6)));
        }
        boolean stillFormat = type.equals("image/jpeg") || type.equals("image/png");
        if (stillFormat && ThumbnailGeometry.fitsAlready(media.width().get(), media.height().get(), width, height)) {
            // Spec: content smaller than the request is served as is.
            return new Download(original, media.size(), type, Optional.of("thumbnail." + type.substring(6)));
        }
        Thumbnailer.Size size = choose(width, height, crop);
        Thumbnail thumbnail = thumbnailFor(sha, original, size);
        Path file = files.thumbnailPath(sha, thumbnail.width(), thumbnail.height(), thumbnail.method(),
                thumbnail.contentType());
        // The file's own length: its row may have been recorded by a concurrent maker of the same thumbnail.
        return new Download(file, Files.size(file), thumbnail.contentType(),
                Optional.of("thumbnail." + (thumbnail.contentType().equals("image/png") ? "png" : "jpg")));
    }

    /**
     * The size to make: the smallest pre-generated one of the same method that is at least as large as asked;
     * otherwise the exact request (dynamic thumbnails) or the largest pre-generated one.
     */
    Thumbnailer.Size choose(int width, int height, boolean crop) {
        List<MyelinConfig.ThumbnailSize> sameMethod = config.thumbnailSizes().stream()
                .filter(size -> size.crop() == crop).toList();
        Optional<MyelinConfig.ThumbnailSize> covering = sameMethod.stream()
                .filter(size -> size.width() >= width && size.height() >= height)
                .min(Comparator.comparingLong(size -> (long) size.width() * size.height()));
        if (covering.isPresent()) {
            return new Thumbnailer.Size(covering.get().width(), covering.get().height(), crop);
        }
        if (config.dynamicThumbnails() || config.thumbnailSizes().isEmpty()) {
            return new Thumbnailer.Size(width, height, crop);
        }
        var candidates = sameMethod.isEmpty() ? config.thumbnailSizes() : sameMethod;
        var largest = candidates.stream()
                .max(Comparator.comparingLong(size -> (long) size.width() * size.height())).orElseThrow();
        return new Thumbnailer.Size(largest.width(), largest.height(), largest.crop());
    }

    private static String method(boolean crop) {
        return crop ? "crop" : "scale";
    }

    /** A cached thumbnail, or one made now (once, however many requests ask at the same time). */
    private Thumbnail thumbnailFor(String sha, Path original, Thumbnailer.Size size) throws IOException {
        Optional<Thumbnail> cached = cachedThumbnail(sha, size);
        if (cached.isPresent()) {
            return cached.get();
        }
        String key = sha + "/" + size.width() + "x" + size.height() + "/" + method(size.crop());
        var mine = new CompletableFuture<Thumbnail>();
        CompletableFuture<Thumbnail> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return join(running);
        }
        try {
            Thumbnail made = cachedThumbnail(sha, size).orElse(null);
            if (made == null) {
                made = makeAndStore(sha, original, List.of(size)).getFirst();
            }
            mine.complete(made);
            return made;
        } catch (RuntimeException | IOException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private static Thumbnail join(CompletableFuture<Thumbnail> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for a thumbnail", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }

    private Optional<Thumbnail> cachedThumbnail(String sha, Thumbnailer.Size size) {
        for (Thumbnail thumbnail : store.thumbnails(sha)) {
            if (thumbnail.width() == size.width() && thumbnail.height() == size.height()
                    && thumbnail.method().equals(method(size.crop()))
                    && Files.exists(files.thumbnailPath(sha, thumbnail.width(), thumbnail.height(), thumbnail.method(),
                    thumbnail.contentType()))) {
                return Optional.of(thumbnail);
            }
        }
        return Optional.empty();
    }

    private List<Thumbnail> makeAndStore(String sha, Path original, List<Thumbnailer.Size> sizes) throws IOException {
        List<Thumbnailer.Made> made;
        try {
            thumbnailSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting to make a thumbnail", e);
        }
        try {
            made = thumbnailer.make(original, sizes);
        } catch (ThumbnailException e) {
            throw e.tooLarge() ? MatrixException.tooLarge(e.getMessage())
                    : new MatrixException(400, ErrorCode.M_UNKNOWN, e.getMessage());
        } finally {
            thumbnailSlots.release();
        }
        var thumbnails = new ArrayList<Thumbnail>();
        // Under the file's lock, and only while some media uses the file, so a deletion cannot leave orphans.
        return withFileLock(sha, () -> {
            if (!store.referenced(sha)) {
                throw MatrixException.notFound("Media not found");
            }
            for (Thumbnailer.Made one : made) {
                var thumbnail = new Thumbnail(sha, one.requestedWidth(), one.requestedHeight(), method(one.crop()),
                        one.contentType(), one.bytes().length);
                files.writeThumbnail(files.thumbnailPath(sha, thumbnail.width(), thumbnail.height(),
                        thumbnail.method(), thumbnail.contentType()), one.bytes());
                store.insertThumbnail(thumbnail, clock.millis());
                thumbnails.add(thumbnail);
            }
            return thumbnails;
        });
    }

    private void pregenerateThumbnails(Content content) {
        if (config.thumbnailSizes().isEmpty() || content.width().isEmpty() || content.height().isEmpty()
                || (long) content.width().get() * content.height().get() > config.maxImagePixels()) {
            return;
        }
        String sha = content.sha256();
        int width = content.width().get();
        int height = content.height().get();
        var sizes = config.thumbnailSizes().stream()
                .filter(size -> !ThumbnailGeometry.fitsAlready(width, height, size.width(), size.height()))
                .map(size -> new Thumbnailer.Size(size.width(), size.height(), size.crop()))
                .filter(size -> cachedThumbnail(sha, size).isEmpty())
                .toList();
        if (sizes.isEmpty()) {
            return;
        }
        background.submit(() -> {
            try {
                makeAndStore(sha, files.contentPath(sha), sizes);
            } catch (IOException | RuntimeException e) {
                LOG.debug("No thumbnails for {}: {}", sha, e.getMessage());
            }
        });
    }

    // ---- deletion ----

    /** Deletes a file and its thumbnails if no media row refers to it any more. */
    public void deleteIfUnreferenced(String sha256) throws IOException {
        withFileLock(sha256, () -> {
            if (!store.referenced(sha256)) {
                store.deleteThumbnails(sha256);
                files.deleteThumbnails(sha256);
                files.deleteContent(sha256);
            }
            return null;
        });
    }

    @FunctionalInterface
    private interface LockedWork<T> {
        T run() throws IOException;
    }

    private <T> T withFileLock(String sha256, LockedWork<T> work) throws IOException {
        ReentrantLock lock = fileLocks[Math.floorMod(sha256.hashCode(), fileLocks.length)];
        lock.lock();
        try {
            return work.run();
        } finally {
            lock.unlock();
        }
    }

    public MediaStore store() {
        return store;
    }

    public MediaFiles files() {
        return files;
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
