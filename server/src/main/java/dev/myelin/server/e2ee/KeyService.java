package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.Requester;
import dev.myelin.server.storage.E2eKeyStore;
import dev.myelin.server.storage.E2eKeyStore.Claim;
import dev.myelin.server.storage.E2eKeyStore.Claimed;
import dev.myelin.server.storage.E2eKeyStore.CrossSigningKey;
import dev.myelin.server.storage.E2eKeyStore.Key;
import dev.myelin.server.storage.E2eKeyStore.Signature;
import dev.myelin.spec.id.UserId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Device, one-time and fallback keys (spec: end_to_end_encryption "Key management API"): {@code /keys/upload},
 * {@code /keys/query}, {@code /keys/claim}, and the key counts sync reports.
 */
public final class KeyService {
    /** The algorithm every response counts, even at zero, so clients know to upload more. */
    static final String SIGNED_CURVE25519 = "signed_curve25519";
    private static final String UNSTABLE_FALLBACK_KEYS = "org.matrix.msc2732.fallback_keys";
    private static final int MAX_KEYS_PER_UPLOAD = 1000;

    private final String serverName;
    private final E2eKeyStore keys;
    private final DeviceLists deviceLists;

    public KeyService(String serverName, E2eKeyStore keys, DeviceLists deviceLists) {
        this.serverName = serverName;
        this.keys = keys;
        this.deviceLists = deviceLists;
    }

    /** POST /keys/upload: returns {@code one_time_key_counts}. */
    public Map<String, Long> upload(Requester requester, ObjectNode body) {
        E2eKeyStore.Upload upload = parseUpload(requester.userId(), requester.deviceId(), body);
        long position;
        try {
            position = keys.upload(upload);
        } catch (E2eKeyStore.KeyConflictException e) {
            throw MatrixException.invalidParam(e.getMessage());
        }
        deviceLists.announce(requester.userId(), position);
        return oneTimeKeyCounts(requester.userId(), requester.deviceId());
    }

    /** Parses and checks the keys of an upload for this user's device (also used for dehydrated devices). */
    E2eKeyStore.Upload parseUpload(String userId, String deviceId, ObjectNode body) {
        Optional<String> deviceKeys = Optional.ofNullable(SignedKeys.object(body, "device_keys"))
                .map(json -> checkDeviceKeys(userId, deviceId, json));
        List<Key> oneTime = parseKeys(SignedKeys.object(body, "one_time_keys"), "one_time_keys");
        ObjectNode fallbackJson = SignedKeys.object(body, "fallback_keys");
        if (fallbackJson == null) {
            fallbackJson = SignedKeys.object(body, UNSTABLE_FALLBACK_KEYS);
        }
        List<Key> fallback = parseKeys(fallbackJson, "fallback_keys");
        var algorithms = new java.util.HashSet<String>();
        for (Key key : fallback) {
            if (!algorithms.add(key.algorithm())) {
                throw MatrixException.invalidParam("At most one fallback key per algorithm");
            }
        }
        return new E2eKeyStore.Upload(userId, deviceId, deviceKeys, oneTime, fallback);
    }

    /**
     * Device keys must name the uploading user and device, list algorithms and keys, and carry the device's own
     * signature, which must verify with its ed25519 key.
     */
    private static String checkDeviceKeys(String userId, String deviceId, ObjectNode json) {
        if (!userId.equals(json.path("user_id").asText(null))) {
            throw MatrixException.invalidParam("'device_keys.user_id' must be " + userId);
        }
        if (!deviceId.equals(json.path("device_id").asText(null))) {
            throw MatrixException.invalidParam("'device_keys.device_id' must be " + deviceId);
        }
        JsonNode algorithms = json.get("algorithms");
        if (algorithms == null || !algorithms.isArray()) {
            throw MatrixException.badJson("'device_keys.algorithms' must be an array");
        }
        for (JsonNode algorithm : algorithms) {
            if (!algorithm.isTextual()) {
                throw MatrixException.badJson("'device_keys.algorithms' must be an array of strings");
            }
        }
        ObjectNode keyMap = SignedKeys.object(json, "keys");
        if (keyMap == null) {
            throw MatrixException.missingParam("Missing 'device_keys.keys'");
        }
        for (var entry : keyMap.properties()) {
            if (!entry.getValue().isTextual()) {
                throw MatrixException.badJson("'device_keys.keys' values must be strings");
            }
        }
        if (SignedKeys.object(json, "signatures") == null || !json.path("signatures").path(userId).isObject()) {
            throw MatrixException.missingParam("'device_keys' must be signed by the device");
        }
        String ed25519 = "ed25519:" + deviceId;
        String publicKey = keyMap.path(ed25519).asText(null);
        if (publicKey == null) {
            throw MatrixException.invalidParam("'device_keys.keys' must hold " + ed25519);
        }
        var verifyKey = SignedKeys.ed25519(publicKey)
                .orElseThrow(() -> MatrixException.invalidParam("Invalid ed25519 key in 'device_keys'"));
        if (!SignedKeys.verify(json, userId, ed25519, verifyKey)) {
            throw new MatrixException(400, ErrorCode.M_INVALID_SIGNATURE,
                    "'device_keys' is not signed by its own ed25519 key");
        }
        ObjectNode stored = json.deepCopy();
        stored.remove("unsigned");
        return SignedKeys.text(stored);
    }

    private static List<Key> parseKeys(ObjectNode json, String field) {
        var parsed = new ArrayList<Key>();
        if (json == null) {
            return parsed;
        }
        if (json.size() > MAX_KEYS_PER_UPLOAD) {
            throw MatrixException.invalidParam("At most " + MAX_KEYS_PER_UPLOAD + " keys per upload");
        }
        for (var entry : json.properties()) {
            String id = entry.getKey();
            int colon = id.indexOf(':');
            if (colon <= 0 || colon == id.length() - 1 || id.length() > 255) {
                throw MatrixException.invalidParam("Key ids in '" + field + "' must be <algorithm>:<key id>");
            }
            JsonNode value = entry.getValue();
            if (!value.isTextual() && !value.isObject()) {
                throw MatrixException.badJson("Keys in '" + field + "' must be strings or objects");
            }
            if (value.isObject() && !value.path("key").isTextual()) {
                throw MatrixException.badJson("Signed keys in '" + field + "' must have a 'key' string");
            }
            parsed.add(new Key(id.substring(0, colon), id.substring(colon + 1), SignedKeys.text(value)));
        }
        return parsed;
    }

    public Map<String, Long> oneTimeKeyCounts(String userId, String deviceId) {
        var counts = new LinkedHashMap<String, Long>();
        counts.put(SIGNED_CURVE25519, 0L);
        counts.putAll(keys.oneTimeKeyCounts(userId, deviceId));
        return counts;
    }

    public List<String> unusedFallbackKeyTypes(String userId, String deviceId) {
        return keys.unusedFallbackKeyTypes(userId, deviceId);
    }

    /** POST /keys/query: the requested users' device keys and cross-signing keys as {@code requester} sees them. */
    public ObjectNode query(Requester requester, ObjectNode body) {
        ObjectNode wanted = SignedKeys.object(body, "device_keys");
        if (wanted == null) {
            throw MatrixException.missingParam("Missing 'device_keys'");
        }
        ObjectNode response = Json.MAPPER.createObjectNode();
        ObjectNode deviceKeys = response.putObject("device_keys");
        ObjectNode failures = response.putObject("failures");
        ObjectNode masterKeys = response.putObject("master_keys");
        ObjectNode selfSigningKeys = response.putObject("self_signing_keys");
        ObjectNode userSigningKeys = response.putObject("user_signing_keys");
        for (var entry : wanted.properties()) {
            String userId = entry.getKey();
            JsonNode devices = entry.getValue();
            if (!devices.isArray() && !devices.isNull()) {
                throw MatrixException.badJson("'device_keys' values must be arrays of device ids");
            }
            var deviceIds = new ArrayList<String>();
            for (JsonNode device : devices) {
                if (!device.isTextual()) {
                    throw MatrixException.badJson("'device_keys' values must be arrays of device ids");
                }
                deviceIds.add(device.asText());
            }
            if (!SignedKeys.isUserId(userId)) {
                continue;
            }
            String server = UserId.parse(userId).server().toString();
            if (!server.equals(serverName)) {
                // No federation yet: report the server as unreachable, as the spec's failures field intends.
                failures.putObject(server).put("status", 503).put("message", "Federation is not available");
                continue;
            }
            List<Signature> signatures = keys.signaturesFor(userId);
            ObjectNode forUser = deviceKeys.putObject(userId);
            for (E2eKeyStore.DeviceKeys device : keys.deviceKeys(userId, deviceIds)) {
                ObjectNode json = SignedKeys.parse(device.json());
                for (Signature s : signatures) {
                    if (s.targetKey().equals(device.deviceId()) && s.signerUser().equals(userId)) {
                        SignedKeys.addSignature(json, s.signerUser(), s.signerKey(), s.signature());
                    }
                }
                device.displayName().ifPresent(name -> json.putObject("unsigned").put("device_display_name", name));
                forUser.set(device.deviceId(), json);
            }
            Map<String, CrossSigningKey> crossSigning = keys.crossSigningKeys(userId);
            addCrossSigningKey(masterKeys, crossSigning.get(CrossSigning.MASTER), userId, requester, signatures);
            addCrossSigningKey(selfSigningKeys, crossSigning.get(CrossSigning.SELF_SIGNING), userId, requester,
                    signatures);
            if (userId.equals(requester.userId())) {
                addCrossSigningKey(userSigningKeys, crossSigning.get(CrossSigning.USER_SIGNING), userId, requester,
                        signatures);
            }
        }
        return response;
    }

    /**
     * Adds a cross-signing key with the signatures others uploaded for it: those of its owner, and those of the
     * requester (a user-signing key's signature is only visible to the user who made it).
     */
    private static void addCrossSigningKey(ObjectNode into, CrossSigningKey key, String userId, Requester requester,
                                           List<Signature> signatures) {
        if (key == null) {
            return;
        }
        ObjectNode json = SignedKeys.parse(key.json());
        for (Signature s : signatures) {
            if (s.targetKey().equals(key.publicKey())
                    && (s.signerUser().equals(userId) || s.signerUser().equals(requester.userId()))) {
                SignedKeys.addSignature(json, s.signerUser(), s.signerKey(), s.signature());
            }
        }
        into.set(userId, json);
    }

    /** POST /keys/claim: one key per requested device, each handed out once. */
    public ObjectNode claim(ObjectNode body) {
        ObjectNode wanted = SignedKeys.object(body, "one_time_keys");
        if (wanted == null) {
            throw MatrixException.missingParam("Missing 'one_time_keys'");
        }
        ObjectNode response = Json.MAPPER.createObjectNode();
        ObjectNode claimedKeys = response.putObject("one_time_keys");
        ObjectNode failures = response.putObject("failures");
        var claims = new ArrayList<Claim>();
        for (var user : wanted.properties()) {
            if (!user.getValue().isObject()) {
                throw MatrixException.badJson("'one_time_keys' values must be objects");
            }
            for (var device : user.getValue().properties()) {
                if (!device.getValue().isTextual()) {
                    throw MatrixException.badJson("Claimed algorithms must be strings");
                }
                if (!SignedKeys.isUserId(user.getKey())) {
                    continue;
                }
                String server = UserId.parse(user.getKey()).server().toString();
                if (!server.equals(serverName)) {
                    failures.putObject(server).put("status", 503).put("message", "Federation is not available");
                    continue;
                }
                claims.add(new Claim(user.getKey(), device.getKey(), device.getValue().asText()));
            }
        }
        if (claims.size() > 10_000) {
            throw MatrixException.invalidParam("Too many keys claimed at once");
        }
        for (Claimed claimed : keys.claim(claims)) {
            Key key = claimed.key();
            claimedKeys.withObject(jsonPointer(claimed.userId())).withObject(jsonPointer(claimed.deviceId()))
                    .set(key.algorithm() + ":" + key.keyId(), SignedKeys.value(key.json()));
        }
        return response;
    }

    private static String jsonPointer(String property) {
        return "/" + property.replace("~", "~0").replace("/", "~1");
    }
}
