package dev.myelin.server.storage;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Read receipts (spec: modules "Receipts"): the latest one of each (room, user, type, thread). Each stored receipt takes
 * the next position of the {@code receipts} stream. The fully read marker is room account data and is written here
 * only so that {@code /read_markers} stays one transaction.
 */
public interface ReceiptStore {
    /** A receipt of {@code type} ({@code m.read} or {@code m.read.private}); {@code threadId} empty when unthreaded. */
    record Receipt(String roomId, String userId, String type, Optional<String> threadId, String eventId, long ts) {}

    /** A stored receipt and its stream position. */
    record Stored(Receipt receipt, long streamPos) {}

    /** The stream positions a save reached; 0 where it wrote nothing to that stream. */
    record Saved(long receiptsPos, long accountDataPos) {}

    /**
     * Stores the user's receipts in a room (each replacing the one of its user, type and thread) and, when given, the
     * content (JSON text) of the user's {@code m.fully_read} account data of the room, in one transaction.
     */
    Saved save(String userId, String roomId, List<Receipt> receipts, Optional<String> fullyReadContent);

    /** Receipts stored after {@code since} up to {@code upTo} (inclusive), in any room. */
    List<Stored> changed(long since, long upTo);

    /** The current receipts of the rooms. */
    List<Stored> ofRooms(Collection<String> roomIds);

    long currentPosition();
}
