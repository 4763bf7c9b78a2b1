package dev.myelin.server.media;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes a file and computes its SHA-256 at the same time: whole buffers go to the file on the writing thread and
 * are then handed, in order, to a hashing thread, which gives them back when digested. On a CPU without SHA
 * instructions hashing alone runs at about the speed of the network and disk, so overlapping the two instead of
 * doing one after the other nearly halves the time an upload takes. Memory is {@link #BUFFERS} buffers whatever
 * the file's size.
 */
final class HashingFileOutput extends OutputStream {
    private static final int BUFFER = 256 * 1024;
    private static final int BUFFERS = 4;
    private static final byte[] END = new byte[0];

    private record Chunk(byte[] bytes, int length) {
    }

    private final OutputStream file;
    private final MessageDigest digest = MediaFiles.sha256();
    private final BlockingQueue<Chunk> toHash = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final Thread hasher;
    private byte[] current;
    private int filled;
    private long count;
    private boolean closed;

    HashingFileOutput(OutputStream file) {
        this.file = file;
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[BUFFER]);
        }
        current = free.poll();
        hasher = Thread.ofVirtual().name("media-hash").start(this::hashLoop);
    }

    private void hashLoop() {
        try {
            while (true) {
                Chunk chunk = toHash.take();
                if (chunk.bytes() == END) {
                    return;
                }
                digest.update(chunk.bytes(), 0, chunk.length());
                free.put(chunk.bytes());
            }
        } catch (InterruptedException e) {
            // abandoned: the writer failed and closed without waiting
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int n = Math.min(length, current.length - filled);
            System.arraycopy(bytes, offset, current, filled, n);
            filled += n;
            offset += n;
            length -= n;
            count += n;
            if (filled == current.length) {
                handOver();
                current = take(free);
            }
        }
    }

    private void handOver() throws IOException {
        file.write(current, 0, filled);
        put(new Chunk(current, filled));
        filled = 0;
    }

    /** Bytes written so far. */
    long count() {
        return count;
    }

    /** Writes what is buffered, closes the file and waits for the hash; then {@link #sha256()} can be read. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (file) {
            if (filled > 0) {
                handOver();
            }
        } finally {
            // Room is always left for the end mark: at most BUFFERS chunks are ever queued.
            toHash.add(new Chunk(END, 0));
            try {
                hasher.join();
            } catch (InterruptedException e) {
                hasher.interrupt();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while hashing");
            }
        }
    }

    /** The lowercase hex SHA-256 of everything written; only after {@link #close()}. */
    String sha256() {
        if (!closed || hasher.isAlive()) {
            throw new IllegalStateException("not closed");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private void put(Chunk chunk) throws IOException {
        try {
            toHash.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        }
    }

    private static byte[] take(BlockingQueue<byte[]> queue) throws IOException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        }
    }
}
