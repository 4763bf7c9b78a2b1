package dev.myelin.server.federation.e2ee;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.CrossSigning;
import dev.myelin.server.e2ee.KeyChangeListener;
import dev.myelin.server.e2ee.KeyService;
import dev.myelin.server.federation.edu.RoomServers;
import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.DeviceListStore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tells the servers sharing a room with a local user when the user's keys change (spec: server-server-api "Device
 * Management", "End-to-End Encryption"): an {@code m.device_list_update} per changed device, an
 * {@code m.signing_key_update} when the master or self-signing key changed.
 *
 * <p>Stream ids: a change at device-list position P gets stream id {@code P * STREAM_SCALE}; when one change
 * covers n devices, their EDUs count up to it ({@code P * STREAM_SCALE - n + 1} ...), each naming the one before as
 * {@code prev_id}, so that every EDU has its own id as the spec wants. The first names the user's previous change.
 * {@code GET /user/devices} answers the last change's id.
 */
public final class OutboundDeviceLists implements KeyChangeListener {
    /** Device-list positions to stream ids; more devices than this in one change break the chain (a resync). */
    public static final long STREAM_SCALE = 1024;

    private final KeyService keys;
    private final DeviceListStore changes;
    private final RoomServers servers;
    private final FederationSender sender;

    public OutboundDeviceLists(KeyService keys, DeviceListStore changes, RoomServers servers,
                               FederationSender sender) {
        this.keys = keys;
        this.changes = changes;
        this.servers = servers;
        this.sender = sender;
    }

    /** The stream id of the user's device list now (0 before any change). */
    public long streamId(String userId) {
        return changes.keyChangeBefore(userId, Long.MAX_VALUE) * STREAM_SCALE;
    }

    @Override
    public void keysChanged(String userId, long position, Collection<String> keyIds) {
        if (!servers.isLocal(userId)) {
            return;
        }
        Set<String> destinations = servers.sharingRoomsWith(userId);
        if (destinations.isEmpty()) {
            return;
        }
        Map<String, ObjectNode> current = keys.deviceKeys(userId, List.of());
        Optional<ObjectNode> master = keys.crossSigningKey(userId, CrossSigning.MASTER);
        Optional<ObjectNode> selfSigning = keys.crossSigningKey(userId, CrossSigning.SELF_SIGNING);
        var devices = new ArrayList<String>();
        boolean crossSigning = keyIds.isEmpty();
        for (String keyId : keyIds) {
            if (isPublicKeyOf(master, keyId) || isPublicKeyOf(selfSigning, keyId)) {
                crossSigning = true;
            } else {
                devices.add(keyId);
            }
        }
        long prev = changes.keyChangeBefore(userId, position) * STREAM_SCALE;
        long streamId = position * STREAM_SCALE - devices.size();
        for (String deviceId : devices) {
            streamId++;
            ObjectNode edu = Json.MAPPER.createObjectNode().put("user_id", userId).put("device_id", deviceId)
                    .put("stream_id", streamId);
            if (prev > 0) {
                edu.putArray("prev_id").add(prev);
            } else {
                edu.putArray("prev_id");
            }
            ObjectNode deviceKeys = current.get(deviceId);
            if (deviceKeys == null) {
                edu.put("deleted", true);
            } else {
                ObjectNode signed = deviceKeys.deepCopy();
                var name = signed.path("unsigned").path("device_display_name");
                if (name.isTextual()) {
                    edu.put("device_display_name", name.textValue());
                }
                signed.remove("unsigned");
                edu.set("keys", signed);
            }
            sender.enqueueEdu(destinations, RemoteDeviceLists.DEVICE_LIST_UPDATE, edu);
            prev = streamId;
        }
        if (crossSigning) {
            ObjectNode edu = Json.MAPPER.createObjectNode().put("user_id", userId);
            master.ifPresent(key -> edu.set("master_key", key));
            selfSigning.ifPresent(key -> edu.set("self_signing_key", key));
            sender.enqueueEdu(destinations, RemoteDeviceLists.SIGNING_KEY_UPDATE, edu);
        }
    }

    private static boolean isPublicKeyOf(Optional<ObjectNode> key, String publicKey) {
        return key.map(k -> k.path("keys").has("ed25519:" + publicKey)).orElse(false);
    }
}
