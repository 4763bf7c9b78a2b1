package dev.myelin.server.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

/**
 * Pushers (spec: pusher.yaml), unique per (user, app_id, pushkey), and the outbox of notifications for them, sent
 * in order per pusher.
 */
public interface PusherStore {

    record Pusher(long id, String userId, String deviceId, String kind, String appId, String pushkey,
                  String appDisplayName, String deviceDisplayName, String profileTag, String lang, ObjectNode data,
                  long pushkeyTs) {}

    /** The oldest waiting notification of a pusher. */
    record Due(long deliveryId, Pusher pusher, ObjectNode notification, ObjectNode tweaks, int attempts) {}

    List<Pusher> pushers(String userId);

    /** The pushers of each of the users; a user without any is absent. */
    java.util.Map<String, List<Pusher>> pushers(java.util.Collection<String> userIds);

    /**
     * Creates or updates the user's pusher with this app id and pushkey. Unless {@code append}, pushers of other
     * users with the same app id and pushkey are deleted.
     */
    void set(Pusher pusher, boolean append);

    /** Deletes the user's pusher with this app id and pushkey (and what waits for it); false when none. */
    boolean delete(String userId, String appId, String pushkey);

    /** Deletes the pushers a device set (and what waits for them). */
    void deleteOfDevices(String userId, Collection<String> deviceIds);

    /** Deletes a pusher by id (the gateway rejected its pushkey). */
    void delete(long pusherId);

    /** For each pusher with waiting notifications, the oldest one if it is due at {@code now}. */
    List<Due> due(long now, int limit);

    /** When the next waiting notification is due, if any waits. */
    OptionalLong nextDue();

    void delivered(long deliveryId);

    void retryLater(long deliveryId, int attempts, long nextAttemptTs);
}
