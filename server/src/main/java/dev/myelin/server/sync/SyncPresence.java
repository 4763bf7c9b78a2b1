package dev.myelin.server.sync;

/**
 * Told when a {@code /sync} starts and ends, with its {@code set_presence} (spec: GET /sync): a connected client
 * keeps its user online.
 */
public interface SyncPresence {
    /** Does nothing: presence is turned off. */
    SyncPresence NONE = (_, _) -> () -> { };

    /** A sync started; {@code setPresence} is {@code online} (the default), {@code unavailable} or {@code offline}. */
    Session syncing(String userId, String setPresence);

    /** A sync in progress; closed when it answers. */
    interface Session extends AutoCloseable {
        @Override
        void close();
    }
}
