package dev.myelin.server.sync;

import dev.myelin.server.storage.StreamName;

/**
 * Told when a stream that feeds sync advances, so long-polls can wake up. In one process {@link InProcessNotifier};
 * with several processes a bus carries "stream S advanced to N" and each process tells its own notifier.
 */
public interface Notifier {
    /** The stream's rows up to {@code position} are committed and visible to readers. */
    void advanced(StreamName stream, long position);
}
