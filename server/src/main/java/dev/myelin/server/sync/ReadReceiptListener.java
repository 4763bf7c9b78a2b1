package dev.myelin.server.sync;

/**
 * Told when a user's read position in a room moves ({@code m.read} or {@code m.read.private} receipts, spec
 * "Receipts"), e.g. to clear notification counts up to it.
 */
public interface ReadReceiptListener {
    /**
     * @param threadId the receipt's thread: {@code null} for an unthreaded receipt, {@code "main"} for the main
     *                 timeline, otherwise the thread root's event id
     * @param streamPos the events-stream position of the event read up to
     */
    void readUpTo(String userId, String roomId, String threadId, String eventId, long streamPos);
}
