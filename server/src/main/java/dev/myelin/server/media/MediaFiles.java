package dev.myelin.server.media;

import dev.myelin.server.http.MatrixException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.security.NoSuchAlgorithmException;

/**
 * The files of the media repository, content-addressed: {@code content/ab/cd/<sha256>} holds the bytes whose
 * SHA-256 is that name, so the same bytes uploaded twice are stored once. Uploads are streamed to a temporary file
 * in {@code tmp/} (same file system, so the final rename is atomic) while they are hashed and counted; nothing is
 * ever held whole in memory, and a failed upload leaves no file behind. Thumbnails live under
 * {@code thumbnails/ab/cd/<sha256>/}.
 */
public final class MediaFiles {
    private static final int BUFFER = 256 * 1024;

    private final Path content;
    private final Path thumbnails;
    private final Path tmp;

    public MediaFiles(Path root) throws IOException {
        this.content = Files.createDirectories(root.resolve("content"));
        this.thumbnails = Files.createDirectories(root.resolve("thumbnails"));
        this.tmp = Files.createDirectories(root.resolve("tmp"));
        // Temporary files of a crashed process are garbage.
        try (var stale = Files.list(tmp)) {
            for (Path file : stale.toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** An upload written to a temporary file: its SHA-256 (lowercase hex) and length. */
    public record Staged(Path file, String sha256, long size) implements AutoCloseable {
        /** Deletes the temporary file if it is still there (after {@link #commit} it is not). */
        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // tmp/ is emptied at the next start.
            }
        }
    }

    /**
     * Copies {@code in} to a temporary file while hashing it; refuses with 413 M_TOO_LARGE as soon as more than
     * {@code maxBytes} arrive (the partial file is deleted).
     */
    public Staged stage(InputStream in, long maxBytes) throws IOException {
        return stage(out -> {
            byte[] buffer = new byte[BUFFER];
            long size = 0;
            int n;
            // Whole buffers: a network read yields a few KB, and fewer, larger writes and digest updates pay.
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                size += n;
                if (size > maxBytes) {
                    throw MatrixException.tooLarge("Cannot upload files larger than " + maxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
        });
    }

    /** Writes content into a file being staged. */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Stages what {@code writer} writes, hashed on another thread while it is written ({@link HashingFileOutput});
     * on any failure the partial file is deleted.
     */
    public Staged stage(ContentWriter writer) throws IOException {
        Path file = Files.createTempFile(tmp, "upload-", ".part");
        try {
            var out = new HashingFileOutput(Files.newOutputStream(file));
            try (out) {
                writer.writeTo(out);
            }
            return new Staged(file, out.sha256(), out.count());
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Moves a staged file to its content address. If the same bytes are already stored, the staged copy is simply
     * deleted (de-duplication).
     */
    public void commit(Staged staged) throws IOException {
        Path target = contentPath(staged.sha256());
        if (Files.exists(target)) {
            Files.deleteIfExists(staged.file());
            return;
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(staged.file(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            try {
                Files.move(staged.file(), target);
            } catch (FileAlreadyExistsException raced) {
                Files.deleteIfExists(staged.file());
            }
        }
    }

    public Path contentPath(String sha256) {
        checkHash(sha256);
        return content.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    public boolean exists(String sha256) {
        return Files.exists(contentPath(sha256));
    }

    public void deleteContent(String sha256) throws IOException {
        Files.deleteIfExists(contentPath(sha256));
    }

    /** Where a thumbnail of a file is kept. */
    public Path thumbnailPath(String sha256, int width, int height, String method, String contentType) {
        checkHash(sha256);
        String extension = contentType.equals("image/png") ? "png" : contentType.equals("image/gif") ? "gif" : "jpg";
        return thumbnails.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256)
                .resolve(width + "x" + height + "-" + method + "." + extension);
    }

    /**
     * Writes a thumbnail atomically (readers never see half a file). A thumbnail file never changes once written:
     * when two requests made the same one at once, the first stays.
     */
    public void writeThumbnail(Path target, byte[] bytes) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(tmp, "thumb-", ".part");
        try {
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException raced) {
            // The other copy is as good.
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Deletes a file's thumbnail folder and everything in it. */
    public void deleteThumbnails(String sha256) throws IOException {
        Path dir = thumbnailPath(sha256, 1, 1, "x", "image/png").getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static void checkHash(String sha256) {
        if (sha256.length() != 64 || !sha256.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("Not a SHA-256: " + sha256);
        }
    }

    /** SHA-256 by OpenSSL when the system has libcrypto 3 ({@link NativeSha256}), else the JDK's. */
    static MessageDigest sha256() {
        Optional<MessageDigest> openSsl = NativeSha256.create();
        if (openSsl.isPresent()) {
            return openSsl.get();
        }
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
