package dev.myelin.server.sync;

import dev.myelin.server.storage.StreamName;

import java.util.Collection;

/**
 * Told when a stream that feeds sync advances, so long-polls can wake up. In one process {@link InProcessNotifier};
 * with several processes a bus carries "stream S advanced to N" and each process tells its own notifier, which
 * then wakes everyone (the audience does not cross the bus).
 */
public interface Notifier {
    /** The stream's rows up to {@code position} are committed and visible to readers: wakes every long-poll. */
    void advanced(StreamName stream, long position);

    /**
     * The stream advanced with rows that concern only {@code audience}: room ids (everyone joined to the room) and
     * user ids (that user's devices). Only long-polls listening on one of them wake.
     */
    void advanced(StreamName stream, long position, Collection<String> audience);
}
