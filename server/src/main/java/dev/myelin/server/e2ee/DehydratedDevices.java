package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.client.Fields;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.E2eKeyStore;
import dev.myelin.server.storage.E2eKeyStore.DehydratedDevice;
import dev.myelin.server.storage.ToDeviceStore;
import dev.myelin.server.storage.ToDeviceStore.Delivery;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * MSC3814 dehydrated devices: one device per user, created without tokens, holding keys and receiving to-device
 * messages while no client runs it; a new client rehydrates it by reading its messages in batches.
 */
public final class DehydratedDevices {
    static final int BATCH = 100;

    private final E2eKeyStore keys;
    private final ToDeviceStore toDevice;
    private final KeyService keyService;
    private final DeviceLists deviceLists;
    private final Clock clock;

    public DehydratedDevices(E2eKeyStore keys, ToDeviceStore toDevice, KeyService keyService,
                             DeviceLists deviceLists, Clock clock) {
        this.keys = keys;
        this.toDevice = toDevice;
        this.keyService = keyService;
        this.deviceLists = deviceLists;
        this.clock = clock;
    }

    /** PUT /dehydrated_device: replaces the user's dehydrated device; returns its id. */
    public String put(String userId, ObjectNode body) {
        String deviceId = Fields.deviceId(Fields.requiredString(body, "device_id"));
        ObjectNode deviceData = SignedKeys.object(body, "device_data");
        if (deviceData == null) {
            throw MatrixException.missingParam("Missing 'device_data'");
        }
        if (!deviceData.path("algorithm").isTextual()) {
            throw MatrixException.badJson("'device_data.algorithm' must be a string");
        }
        if (SignedKeys.object(body, "device_keys") == null) {
            throw MatrixException.missingParam("Missing 'device_keys'");
        }
        Optional<String> displayName = Fields.string(body, "initial_device_display_name");
        E2eKeyStore.Upload upload = keyService.parseUpload(userId, deviceId, body);
        long position;
        try {
            position = keys.putDehydratedDevice(userId, new DehydratedDevice(deviceId, SignedKeys.text(deviceData)),
                    displayName, upload, clock.millis());
        } catch (E2eKeyStore.KeyConflictException e) {
            throw MatrixException.invalidParam(e.getMessage());
        }
        deviceLists.announce(userId, position, List.of(deviceId));
        return deviceId;
    }

    /** GET /dehydrated_device. */
    public ObjectNode get(String userId) {
        DehydratedDevice device = keys.dehydratedDevice(userId)
                .orElseThrow(() -> MatrixException.notFound("No dehydrated device"));
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("device_id", device.deviceId());
        json.set("device_data", SignedKeys.parse(device.deviceData()));
        return json;
    }

    /** DELETE /dehydrated_device: returns the deleted device's id. */
    public String delete(String userId) {
        String deviceId = keys.deleteDehydratedDevice(userId)
                .orElseThrow(() -> MatrixException.notFound("No dehydrated device"));
        deviceLists.announce(userId, deviceLists.currentPosition());
        return deviceId;
    }

    /**
     * The dehydrated device's to-device messages after {@code nextBatch}, which are not deleted (another client
     * may restart the rehydration). {@code next_batch} is present only while more messages may follow.
     */
    public ObjectNode events(String userId, String deviceId, Optional<String> nextBatch) {
        DehydratedDevice device = keys.dehydratedDevice(userId)
                .filter(d -> d.deviceId().equals(deviceId))
                .orElseThrow(() -> MatrixException.forbidden("Not the user's dehydrated device"));
        long from = 0;
        if (nextBatch.isPresent()) {
            try {
                from = Long.parseLong(nextBatch.get());
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("Invalid 'next_batch'");
            }
        }
        List<Delivery> batch = toDevice.inbox(userId, device.deviceId(), from, Long.MAX_VALUE, BATCH);
        ObjectNode json = Json.MAPPER.createObjectNode();
        var events = json.putArray("events");
        batch.forEach(delivery -> events.add(SignedKeys.parse(delivery.eventJson())));
        if (!batch.isEmpty()) {
            json.put("next_batch", Long.toString(batch.getLast().position()));
        }
        return json;
    }

}
