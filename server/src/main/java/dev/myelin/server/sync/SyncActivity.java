package dev.myelin.server.sync;

/**
 * Told when a {@code /sync} starts and ends, with its {@code set_presence} (spec: GET /sync: omitted means
 * {@code online}), so presence can count the user as connected while their client syncs.
 */
public interface SyncActivity {
    /** The sync started; the result is closed when it returns. */
    Session started(String userId, String setPresence);

    interface Session extends AutoCloseable {
        @Override
        void close();
    }
}
