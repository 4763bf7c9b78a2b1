package dev.myelin.server;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the homeserver opened, in order, so that stopping (or a failed start) closes it in reverse order. A failure
 * to close one does not keep the others open.
 */
final class OpenedResources implements AutoCloseable {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    <T extends AutoCloseable> T add(T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes everything after a failed start, keeping the start's failure as the one reported. */
    void closeAfter(Throwable startFailure) {
        try {
            close();
        } catch (Exception e) {
            startFailure.addSuppressed(e);
        }
    }
}
