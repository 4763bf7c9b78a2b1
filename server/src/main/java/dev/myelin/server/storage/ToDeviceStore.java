package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;

/** Send-to-device messages (spec: client-server-api "Send-to-Device messaging"): one inbox per device. */
public interface ToDeviceStore {

    /** A message for one device; {@code deviceId} "*" means every device of the user. */
    record Message(String userId, String deviceId, String eventJson) {
    }

    record Delivery(long position, String eventJson) {
    }

    /**
     * Puts the messages in their inboxes unless this sender's device already used the transaction id.
     *
     * @return the last position written, empty when the transaction was already done (or nothing was sent)
     */
    Optional<Long> send(String senderUserId, String senderDeviceId, String txnId, List<Message> messages);

    /** The device's messages after {@code from} up to {@code to}, oldest first, at most {@code limit}. */
    List<Delivery> inbox(String userId, String deviceId, long from, long to, int limit);

    /** Deletes the device's messages up to {@code position}, which its client acknowledged. */
    void acknowledge(String userId, String deviceId, long position);

    long currentPosition();
}
