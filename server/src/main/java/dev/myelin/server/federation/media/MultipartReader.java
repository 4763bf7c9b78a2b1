package dev.myelin.server.federation.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@code multipart/mixed} body (RFC 2046 §5.1) part by part without holding a part in memory: a part's bytes
 * are copied to a sink up to the next delimiter. Anything that does not follow the grammar, or a body that ends
 * before its closing delimiter (a truncated download), is a {@link MalformedMultipartException}.
 */
final class MultipartReader {
    private static final int BUFFER = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buffer = new byte[BUFFER];
    private int pos;
    private int limit;

    MultipartReader(InputStream in, String boundary) {
        if (boundary.isEmpty() || boundary.length() > 70) {
            throw new IllegalArgumentException("a boundary has 1 to 70 characters");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // The first delimiter may open the body: a virtual CRLF before it lets one search find every delimiter.
        buffer[0] = '\r';
        buffer[1] = '\n';
        limit = 2;
    }

    /** Skips the preamble and the first delimiter; false when the body has no part at all. */
    boolean first() throws IOException {
        copyPart(OutputStream.nullOutputStream(), MAX_HEADER_BYTES);
        return afterDelimiter();
    }

    /** The headers of the part that starts here, names in lower case. */
    Map<String, String> headers() throws IOException {
        var headers = new LinkedHashMap<String, String>();
        int read = 0;
        while (true) {
            String line = line(MAX_HEADER_BYTES - read);
            read += line.length() + 2;
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedMultipartException("a part header without a name");
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
    }

    /**
     * Copies the current part's bytes to {@code out} and consumes the delimiter after it.
     *
     * @return the number of bytes copied
     * @throws PartTooLargeException when the part has more than {@code maxBytes}
     */
    long copyPart(OutputStream out, long maxBytes) throws IOException {
        long total = 0;
        while (true) {
            int found = indexOfDelimiter();
            int end = found >= 0 ? found : Math.max(pos, limit - (delimiter.length - 1));
            total += end - pos;
            if (total > maxBytes) {
                throw new PartTooLargeException(maxBytes);
            }
            out.write(buffer, pos, end - pos);
            pos = end;
            if (found >= 0) {
                pos += delimiter.length;
                return total;
            }
            if (!fill()) {
                throw new MalformedMultipartException("the body ended before its closing delimiter");
            }
        }
    }

    /** After a delimiter: true when another part follows, false for the closing delimiter. */
    boolean afterDelimiter() throws IOException {
        ensure(2);
        if (buffer[pos] == '-' && buffer[pos + 1] == '-') {
            pos += 2;
            return false;
        }
        // Transport padding (spaces, tabs) may precede the CRLF.
        if (!line(1000).isBlank()) {
            throw new MalformedMultipartException("text after a delimiter");
        }
        return true;
    }

    private String line(int maxBytes) throws IOException {
        int start = pos;
        while (true) {
            for (int i = start; i + 1 < limit; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n') {
                    String line = new String(buffer, pos, i - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 2;
                    return line;
                }
            }
            if (limit - pos > maxBytes) {
                throw new MalformedMultipartException("a header line too long");
            }
            start = Math.max(pos, limit - 1);
            int before = pos;
            if (!fill()) {
                throw new MalformedMultipartException("the body ended in a header");
            }
            start -= before - pos;
        }
    }

    private void ensure(int bytes) throws IOException {
        while (limit - pos < bytes) {
            if (!fill()) {
                throw new MalformedMultipartException("the body ended early");
            }
        }
    }

    /** Moves the unread bytes to the front and reads more; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buffer.length) {
            throw new MalformedMultipartException("a line longer than the buffer");
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }

    private int indexOfDelimiter() {
        byte first = delimiter[0];
        for (int i = pos; i <= limit - delimiter.length; i++) {
            if (buffer[i] != first) {
                continue;
            }
            int j = 1;
            while (j < delimiter.length && buffer[i + j] == delimiter[j]) {
                j++;
            }
            if (j == delimiter.length) {
                return i;
            }
        }
        return -1;
    }

    /** A body that is not valid multipart. */
    static final class MalformedMultipartException extends IOException {
        MalformedMultipartException(String message) {
            super("malformed multipart/mixed answer: " + message);
        }
    }

    /** A part longer than the caller accepts. */
    static final class PartTooLargeException extends IOException {
        PartTooLargeException(long maxBytes) {
            super("a part is larger than " + maxBytes + " bytes");
        }
    }
}
