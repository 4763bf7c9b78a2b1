package dev.myelin.server.media;

import dev.myelin.server.http.MatrixException;

import java.io.IOException;
import java.util.Optional;

/**
 * Where media of other servers comes from (federation, spec: server-server-api "Content Repository"). A failure is
 * thrown as the {@link MatrixException} the client should see: 404 M_NOT_FOUND, 504 M_NOT_YET_UPLOADED, 502
 * M_TOO_LARGE, or 502 M_UNKNOWN when the origin cannot be reached or answers nonsense.
 */
@FunctionalInterface
public interface RemoteMediaSource {

    /** A remote file staged on disk, with what its origin said about it. */
    record Fetched(MediaFiles.Staged staged, Optional<String> contentType, Optional<String> fileName)
            implements AutoCloseable {
        @Override
        public void close() {
            staged.close();
        }
    }

    /**
     * Downloads {@code mxc://server/mediaId} from its origin into a file staged in {@code files}, refusing more than
     * {@code maxBytes}; the origin may wait up to {@code timeoutMs} for an asynchronous upload.
     */
    Fetched fetch(String server, String mediaId, long timeoutMs, long maxBytes, MediaFiles files)
            throws IOException, InterruptedException;

    /** For a server without federation: no remote media. */
    RemoteMediaSource NONE = (server, mediaId, timeoutMs, maxBytes, files) -> {
        throw MatrixException.notFound("This server does not fetch media from other servers");
    };
}
