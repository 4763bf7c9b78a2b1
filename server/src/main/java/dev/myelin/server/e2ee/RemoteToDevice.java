package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Sends to-device messages to the users of another server (an {@code m.direct_to_device} EDU). */
@FunctionalInterface
public interface RemoteToDevice {
    /**
     * @param messageId the same for a retried client transaction, so that the destination drops the repeat
     * @param messages  user id to device id (or "*") to content, for users of {@code server} only
     */
    void send(String server, String sender, String eventType, String messageId, ObjectNode messages);
}
