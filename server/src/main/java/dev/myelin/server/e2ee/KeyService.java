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

import java.time.Duration;
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
    private static final Duration DEFAULT_REMOTE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_REMOTE_TIMEOUT = Duration.ofSeconds(60);

    private final String serverName;
    private final E2eKeyStore keys;
    private final DeviceLists deviceLists;
    private volatile RemoteKeys remote = RemoteKeys.UNREACHABLE;

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
        deviceLists.announce(requester.userId(), position, List.of(requester.deviceId()));
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

    /** The device's unclaimed one-time keys by algorithm, {@value #SIGNED_CURVE25519} always among them. */
    public Map<String, Long> oneTimeKeyCounts(String userId, String deviceId) {
        return keysLeft(userId, deviceId).oneTimeKeyCounts();
    }

    public List<String> unusedFallbackKeyTypes(String userId, String deviceId) {
        return keysLeft(userId, deviceId).unusedFallbackKeyTypes();
    }

    /** Both of the above in one read, as every sync response carries them. */
    public E2eKeyStore.KeysLeft keysLeft(String userId, String deviceId) {
        E2eKeyStore.KeysLeft left = keys.keysLeft(userId, deviceId);
        var counts = new LinkedHashMap<String, Long>();
        counts.put(SIGNED_CURVE25519, 0L);
        counts.putAll(left.oneTimeKeyCounts());
        return new E2eKeyStore.KeysLeft(counts, left.unusedFallbackKeyTypes());
    }

    /** Where the keys of users on other servers come from (federation wires it). */
    public void remoteKeys(RemoteKeys remote) {
        this.remote = remote;
    }

    /**
     * POST /keys/query: the requested users' device keys and cross-signing keys as {@code requester} sees them;
     * those of users on other servers are asked for there, waiting at most {@code timeout} (default 10 s).
     */
    public ObjectNode query(Requester requester, ObjectNode body) {
        ObjectNode wanted = SignedKeys.object(body, "device_keys");
        if (wanted == null) {
            throw MatrixException.missingParam("Missing 'device_keys'");
        }
        ObjectNode response = emptyQueryResponse();
        response.putObject("failures");
        var remoteUsers = new LinkedHashMap<String, Map<String, List<String>>>();
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
            if (server.equals(serverName)) {
                addLocalKeys(response, userId, deviceIds, requester.userId());
            } else {
                remoteUsers.computeIfAbsent(server, _ -> new LinkedHashMap<>()).put(userId, deviceIds);
            }
        }
        if (!remoteUsers.isEmpty()) {
            remote.query(remoteUsers, timeout(body), response);
        }
        return response;
    }

    /** The fields of a key query answer, empty. */
    public static ObjectNode emptyQueryResponse() {
        ObjectNode response = Json.MAPPER.createObjectNode();
        response.putObject("device_keys");
        response.putObject("master_keys");
        response.putObject("self_signing_keys");
        response.putObject("user_signing_keys");
        return response;
    }

    private static Duration timeout(ObjectNode body) {
        JsonNode timeout = body.get("timeout");
        if (timeout == null || timeout.isNull()) {
            return DEFAULT_REMOTE_TIMEOUT;
        }
        if (!timeout.canConvertToLong() || timeout.asLong() < 0) {
            throw MatrixException.badJson("'timeout' must be a non-negative integer");
        }
        return Duration.ofMillis(Math.min(timeout.asLong(), MAX_REMOTE_TIMEOUT.toMillis()));
    }

    /**
     * Adds a local user's device keys and cross-signing keys to a key query answer, as {@code viewerUserId} sees
     * them (null for another server, which does not get user-signing keys).
     */
    public void addLocalKeys(ObjectNode response, String userId, List<String> deviceIds, String viewerUserId) {
        List<Signature> signatures = keys.signaturesFor(userId);
        ObjectNode forUser = response.withObject(jsonPointer("device_keys")).putObject(userId);
        deviceKeys(userId, deviceIds, signatures).forEach(forUser::set);
        Map<String, CrossSigningKey> crossSigning = keys.crossSigningKeys(userId);
        addCrossSigningKey(response.withObject(jsonPointer("master_keys")), crossSigning.get(CrossSigning.MASTER),
                userId, viewerUserId, signatures);
        addCrossSigningKey(response.withObject(jsonPointer("self_signing_keys")),
                crossSigning.get(CrossSigning.SELF_SIGNING), userId, viewerUserId, signatures);
        if (userId.equals(viewerUserId)) {
            addCrossSigningKey(response.withObject(jsonPointer("user_signing_keys")),
                    crossSigning.get(CrossSigning.USER_SIGNING), userId, viewerUserId, signatures);
        }
    }

    /** The device keys (with the owner's signatures and display name) of the user's devices, all when empty. */
    public Map<String, ObjectNode> deviceKeys(String userId, List<String> deviceIds) {
        return deviceKeys(userId, deviceIds, keys.signaturesFor(userId));
    }

    private Map<String, ObjectNode> deviceKeys(String userId, List<String> deviceIds, List<Signature> signatures) {
        var out = new LinkedHashMap<String, ObjectNode>();
        for (E2eKeyStore.DeviceKeys device : keys.deviceKeys(userId, deviceIds)) {
            ObjectNode json = SignedKeys.parse(device.json());
            for (Signature s : signatures) {
                if (s.targetKey().equals(device.deviceId()) && s.signerUser().equals(userId)) {
                    SignedKeys.addSignature(json, s.signerUser(), s.signerKey(), s.signature());
                }
            }
            device.displayName().ifPresent(name -> json.putObject("unsigned").put("device_display_name", name));
            out.put(device.deviceId(), json);
        }
        return out;
    }

    /** The user's master or self-signing key ({@link CrossSigning#MASTER}...) as other servers see it. */
    public Optional<ObjectNode> crossSigningKey(String userId, String usage) {
        ObjectNode holder = Json.MAPPER.createObjectNode();
        addCrossSigningKey(holder, keys.crossSigningKeys(userId).get(usage), userId, null, keys.signaturesFor(userId));
        return Optional.ofNullable((ObjectNode) holder.get(userId));
    }

    /**
     * Adds a cross-signing key with the signatures others uploaded for it: those of its owner, and those of the
     * viewer (a user-signing key's signature is only visible to the user who made it).
     */
    private static void addCrossSigningKey(ObjectNode into, CrossSigningKey key, String userId, String viewerUserId,
                                           List<Signature> signatures) {
        if (key == null) {
            return;
        }
        ObjectNode json = SignedKeys.parse(key.json());
        for (Signature s : signatures) {
            if (s.targetKey().equals(key.publicKey())
                    && (s.signerUser().equals(userId) || s.signerUser().equals(viewerUserId))) {
                SignedKeys.addSignature(json, s.signerUser(), s.signerKey(), s.signature());
            }
        }
        into.set(userId, json);
    }

    /**
     * POST /keys/claim: one key per requested device, each handed out once; keys of users on other servers are
     * claimed there, waiting at most {@code timeout} (default 10 s).
     */
    public ObjectNode claim(ObjectNode body) {
        ObjectNode wanted = SignedKeys.object(body, "one_time_keys");
        if (wanted == null) {
            throw MatrixException.missingParam("Missing 'one_time_keys'");
        }
        ObjectNode response = Json.MAPPER.createObjectNode();
        response.putObject("one_time_keys");
        response.putObject("failures");
        var claims = new ArrayList<Claim>();
        var remoteClaims = new LinkedHashMap<String, ObjectNode>();
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
                    remoteClaims.computeIfAbsent(server, _ -> Json.MAPPER.createObjectNode())
                            .withObject(jsonPointer(user.getKey())).set(device.getKey(), device.getValue());
                    continue;
                }
                claims.add(new Claim(user.getKey(), device.getKey(), device.getValue().asText()));
            }
        }
        if (claims.size() > 10_000) {
            throw MatrixException.invalidParam("Too many keys claimed at once");
        }
        claimLocal(claims, response);
        if (!remoteClaims.isEmpty()) {
            remote.claim(remoteClaims, timeout(body), response);
        }
        return response;
    }

    /** Claims keys of local devices into {@code response.one_time_keys}. */
    public void claimLocal(List<Claim> claims, ObjectNode response) {
        ObjectNode claimedKeys = response.withObject(jsonPointer("one_time_keys"));
        for (Claimed claimed : keys.claim(claims)) {
            Key key = claimed.key();
            claimedKeys.withObject(jsonPointer(claimed.userId())).withObject(jsonPointer(claimed.deviceId()))
                    .set(key.algorithm() + ":" + key.keyId(), SignedKeys.value(key.json()));
        }
    }

    static String jsonPointer(String property) {
        return "/" + property.replace("~", "~0").replace("/", "~1");
    }
}
