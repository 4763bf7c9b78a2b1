package dev.myelin.server.federation.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.DeviceLists;
import dev.myelin.server.federation.edu.RoomServers;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.MembershipListener;
import dev.myelin.server.storage.RemoteDeviceListStore;
import dev.myelin.server.storage.RemoteDeviceListStore.Cached;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The device lists of users on other servers (spec: server-server-api "Device Management"): fetched with
 * {@code GET /user/devices/{userId}}, cached while the user shares a room with this server (its server then sends
 * every change), and kept current by {@code m.device_list_update} and {@code m.signing_key_update} EDUs. An update
 * whose {@code prev_id} does not name the cached version means one was missed: the list is fetched again. Each
 * change is a change of the user's keys in the device-list stream, so local users sharing a room re-query them.
 * When the user no longer shares a room, its server stops sending changes and the cached list is forgotten.
 */
public final class RemoteDeviceLists implements MembershipListener {
    public static final String DEVICE_LIST_UPDATE = "m.device_list_update";
    public static final String SIGNING_KEY_UPDATE = "m.signing_key_update";
    private static final Logger LOG = LoggerFactory.getLogger(RemoteDeviceLists.class);

    private final RemoteDeviceListStore store;
    private final FederationClient client;
    private final DeviceLists deviceLists;
    private final RoomServers servers;
    private final Set<String> resyncing = ConcurrentHashMap.newKeySet();

    public RemoteDeviceLists(RemoteDeviceListStore store, FederationClient client, DeviceLists deviceLists,
                             RoomServers servers) {
        this.store = store;
        this.client = client;
        this.deviceLists = deviceLists;
        this.servers = servers;
    }

    /** The user's list as {@code GET /user/devices} answers it: the cached one, else fetched from the user's server. */
    public ObjectNode devices(String userId) throws FederationException {
        Optional<Cached> cached = store.cached(userId);
        if (cached.isPresent()) {
            return parse(cached.get().json());
        }
        return fetch(userId);
    }

    /** Fetches the user's list and caches it when the user shares a room with this server. */
    ObjectNode fetch(String userId) throws FederationException {
        String server = RoomServers.serverOf(userId);
        JsonNode answer = client.get(server, "/_matrix/federation/v1/user/devices/"
                + URLEncoder.encode(userId, StandardCharsets.UTF_8).replace("+", "%20"));
        if (!(answer instanceof ObjectNode list) || !userId.equals(list.path("user_id").textValue())
                || !list.path("devices").isArray() || !list.path("stream_id").canConvertToLong()) {
            throw new FederationException(server, 502, Optional.empty(), "A malformed device list for " + userId);
        }
        ObjectNode clean = Json.MAPPER.createObjectNode().put("user_id", userId)
                .put("stream_id", list.path("stream_id").asLong());
        ArrayNode devices = clean.putArray("devices");
        for (JsonNode device : list.path("devices")) {
            if (device.path("device_id").isTextual() && device.path("keys").isObject()
                    && userId.equals(device.path("keys").path("user_id").textValue())) {
                devices.add(device);
            }
        }
        copyCrossSigningKeys(list, clean, userId);
        if (servers.sharesARoom(userId)) {
            long position = store.save(userId, clean.path("stream_id").asLong(), clean.toString());
            deviceLists.announce(userId, position);
        }
        return clean;
    }

    @Override
    public void membershipChanged(String roomId, String userId, String membership) {
        if (!membership.equals("join") && !servers.isLocal(userId) && !servers.sharesARoom(userId)
                && store.cached(userId).isPresent()) {
            deviceLists.announce(userId, store.forget(userId));
        }
    }

    /** An {@code m.device_list_update} EDU: applied to the cached list, or a re-fetch when one was missed. */
    public void deviceListUpdate(String origin, JsonNode content) {
        String userId = requireFromOrigin(origin, content);
        String deviceId = content.path("device_id").textValue();
        if (deviceId == null || !content.path("stream_id").canConvertToLong()) {
            throw new IllegalArgumentException("malformed m.device_list_update");
        }
        long streamId = content.path("stream_id").asLong();
        Optional<Cached> cached = store.cached(userId);
        if (cached.isEmpty()) {
            // Not tracked: local users re-query, which fetches the list.
            deviceLists.announce(userId, store.forget(userId));
            return;
        }
        if (streamId <= cached.get().streamId()) {
            return; // already applied, or part of a list fetched since
        }
        boolean follows = false;
        for (JsonNode prev : content.path("prev_id")) {
            follows |= prev.canConvertToLong() && prev.asLong() == cached.get().streamId();
        }
        if (!follows) {
            resync(userId);
            return;
        }
        ObjectNode list = parse(cached.get().json());
        ArrayNode devices = list.withArray("/devices");
        ObjectNode previous = null;
        for (int i = devices.size() - 1; i >= 0; i--) {
            if (deviceId.equals(devices.get(i).path("device_id").textValue())) {
                previous = (ObjectNode) devices.remove(i);
            }
        }
        if (!content.path("deleted").asBoolean(false)) {
            ObjectNode device = Json.MAPPER.createObjectNode().put("device_id", deviceId);
            JsonNode keys = content.path("keys");
            if (keys.isObject() && userId.equals(keys.path("user_id").textValue())) {
                device.set("keys", keys);
            } else if (previous != null) {
                device.set("keys", previous.path("keys"));
            }
            if (content.path("device_display_name").isTextual()) {
                device.set("device_display_name", content.get("device_display_name"));
            }
            if (device.has("keys")) {
                devices.add(device);
            }
        }
        list.put("stream_id", streamId);
        deviceLists.announce(userId, store.save(userId, streamId, list.toString()));
    }

    /** An {@code m.signing_key_update} EDU: the user's master and self-signing keys replace the cached ones. */
    public void signingKeyUpdate(String origin, JsonNode content) {
        String userId = requireFromOrigin(origin, content);
        Optional<Cached> cached = store.cached(userId);
        if (cached.isEmpty()) {
            deviceLists.announce(userId, store.forget(userId));
            return;
        }
        ObjectNode list = parse(cached.get().json());
        copyCrossSigningKeys(content, list, userId);
        deviceLists.announce(userId, store.save(userId, cached.get().streamId(), list.toString()));
    }

    /**
     * Fetches the user's list again in the background; until then the cached one is forgotten, so queries fetch it
     * themselves rather than answer from a list known to be stale.
     */
    void resync(String userId) {
        deviceLists.announce(userId, store.forget(userId));
        if (!resyncing.add(userId)) {
            return;
        }
        Thread.ofVirtual().name("device-list-resync").start(() -> {
            try {
                fetch(userId);
            } catch (FederationException | RuntimeException e) {
                LOG.info("Resyncing the device list of {} failed: {}", userId, e.toString());
            } finally {
                resyncing.remove(userId);
            }
        });
    }

    private static String requireFromOrigin(String origin, JsonNode content) {
        String userId = content.path("user_id").textValue();
        if (userId == null || !origin.equals(RoomServers.serverOf(userId))) {
            throw new IllegalArgumentException(origin + " may not update the keys of " + userId);
        }
        return userId;
    }

    /** Copies the master and self-signing keys that belong to the user. */
    private static void copyCrossSigningKeys(JsonNode from, ObjectNode to, String userId) {
        for (String field : new String[] {"master_key", "self_signing_key"}) {
            JsonNode key = from.path(field);
            if (key.isObject() && userId.equals(key.path("user_id").textValue())) {
                to.set(field, key);
            }
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
