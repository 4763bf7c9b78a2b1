package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.Requester;
import dev.myelin.server.storage.E2eKeyStore;
import dev.myelin.server.storage.E2eKeyStore.CrossSigningKey;
import dev.myelin.server.storage.E2eKeyStore.Signature;
import dev.myelin.spec.crypto.VerifyKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cross-signing (spec: end_to_end_encryption "Cross-signing"): uploading the master, self-signing and user-signing
 * keys, and uploading signatures of device keys and master keys made with them.
 */
public final class CrossSigning {
    public static final String MASTER = "master";
    public static final String SELF_SIGNING = "self_signing";
    static final String USER_SIGNING = "user_signing";
    private static final Map<String, String> FIELDS = Map.of(MASTER, "master_key", SELF_SIGNING, "self_signing_key",
            USER_SIGNING, "user_signing_key");

    private final E2eKeyStore keys;
    private final DeviceLists deviceLists;

    public CrossSigning(E2eKeyStore keys, DeviceLists deviceLists) {
        this.keys = keys;
        this.deviceLists = deviceLists;
    }

    /** The cross-signing keys of a {@code /keys/device_signing/upload} body, checked. */
    public record Upload(List<CrossSigningKey> keys) {
    }

    /**
     * Checks an upload: each key is the user's, has its usage and one ed25519 key, and the self-signing and
     * user-signing keys are signed by the master key given or already stored.
     */
    public Upload parse(String userId, ObjectNode body) {
        Map<String, CrossSigningKey> stored = keys.crossSigningKeys(userId);
        var parsed = new LinkedHashMap<String, CrossSigningKey>();
        for (String usage : List.of(MASTER, SELF_SIGNING, USER_SIGNING)) {
            ObjectNode json = SignedKeys.object(body, FIELDS.get(usage));
            if (json != null) {
                parsed.put(usage, check(userId, usage, json));
            }
        }
        CrossSigningKey master = parsed.getOrDefault(MASTER, stored.get(MASTER));
        for (String usage : List.of(SELF_SIGNING, USER_SIGNING)) {
            CrossSigningKey key = parsed.get(usage);
            if (key == null) {
                continue;
            }
            if (master == null) {
                throw MatrixException.invalidParam("A master key is needed to sign the " + usage + " key");
            }
            if (!SignedKeys.verify(SignedKeys.parse(key.json()), userId, "ed25519:" + master.publicKey(),
                    verifyKey(master))) {
                throw new MatrixException(400, ErrorCode.M_INVALID_SIGNATURE,
                        "The " + usage + " key is not signed by the master key");
            }
        }
        return new Upload(List.copyOf(parsed.values()));
    }

    /**
     * Whether storing the upload needs user-interactive auth (spec: POST /keys/device_signing/upload): only when
     * it would replace a master key, or change keys beside an existing one.
     */
    public boolean needsAuth(String userId, Upload upload) {
        Map<String, CrossSigningKey> stored = keys.crossSigningKeys(userId);
        if (!stored.containsKey(MASTER)) {
            return false;
        }
        for (CrossSigningKey key : upload.keys()) {
            CrossSigningKey existing = stored.get(key.usage());
            if (existing == null || !SignedKeys.parse(existing.json()).equals(SignedKeys.parse(key.json()))) {
                return true;
            }
        }
        return false;
    }

    public void store(String userId, Upload upload) {
        if (!upload.keys().isEmpty()) {
            deviceLists.announce(userId, keys.putCrossSigningKeys(userId, upload.keys()), List.of());
        }
    }

    private static CrossSigningKey check(String userId, String usage, ObjectNode json) {
        if (!userId.equals(json.path("user_id").asText(null))) {
            throw MatrixException.invalidParam("The " + usage + " key must have user_id " + userId);
        }
        JsonNode usages = json.get("usage");
        boolean hasUsage = false;
        if (usages != null && usages.isArray()) {
            for (JsonNode u : usages) {
                hasUsage |= u.isTextual() && u.asText().equals(usage);
            }
        }
        if (!hasUsage) {
            throw MatrixException.invalidParam("The " + usage + " key must have usage " + usage);
        }
        ObjectNode keyMap = SignedKeys.object(json, "keys");
        if (keyMap == null || keyMap.size() != 1) {
            throw MatrixException.invalidParam("The " + usage + " key must hold exactly one key");
        }
        var entry = keyMap.properties().iterator().next();
        String publicKey = entry.getValue().asText("");
        if (!entry.getKey().equals("ed25519:" + publicKey)
                || SignedKeys.ed25519(publicKey).isEmpty()) {
            throw MatrixException.invalidParam("The " + usage + " key must be an ed25519 key named by itself");
        }
        ObjectNode stored = json.deepCopy();
        stored.remove("unsigned");
        return new CrossSigningKey(usage, publicKey, SignedKeys.text(stored));
    }

    private static VerifyKey verifyKey(CrossSigningKey key) {
        return SignedKeys.ed25519(key.publicKey()).orElseThrow();
    }

    /**
     * POST /keys/signatures/upload. Accepted: the requester's device keys signed with their self-signing key,
     * their master key signed with one of their devices, and other users' master keys signed with the requester's
     * user-signing key. Each signed object must equal the stored key apart from its signatures. Returns the
     * failures by user and key id.
     */
    public ObjectNode uploadSignatures(Requester requester, ObjectNode body) {
        String me = requester.userId();
        Map<String, CrossSigningKey> mine = keys.crossSigningKeys(me);
        ObjectNode failures = Json.MAPPER.createObjectNode();
        var accepted = new ArrayList<Signature>();
        for (var user : body.properties()) {
            String target = user.getKey();
            if (!user.getValue().isObject()) {
                throw MatrixException.badJson("Signed keys must be objects by user id and key id");
            }
            for (var signed : user.getValue().properties()) {
                String keyId = signed.getKey();
                if (!signed.getValue().isObject()) {
                    throw MatrixException.badJson("Signed keys must be objects");
                }
                try {
                    accepted.addAll(checkSignatures(me, mine, target, keyId, (ObjectNode) signed.getValue()));
                } catch (Failure failure) {
                    failures.withObject(pointer(target)).putObject(keyId)
                            .put("errcode", failure.errcode.name()).put("error", failure.getMessage());
                }
            }
        }
        if (!accepted.isEmpty()) {
            keys.addSignatures(accepted).forEach((target, position) -> deviceLists.announce(target, position,
                    accepted.stream().filter(s -> s.targetUser().equals(target)).map(Signature::targetKey)
                            .distinct().toList()));
        }
        ObjectNode response = Json.MAPPER.createObjectNode();
        response.set("failures", failures);
        return response;
    }

    private static String pointer(String property) {
        return "/" + property.replace("~", "~0").replace("/", "~1");
    }

    private static final class Failure extends Exception {
        final ErrorCode errcode;

        Failure(ErrorCode errcode, String message) {
            super(message, null, false, false);
            this.errcode = errcode;
        }
    }

    private List<Signature> checkSignatures(String me, Map<String, CrossSigningKey> mine, String target,
                                            String keyId, ObjectNode signed) throws Failure {
        if (target.equals(me)) {
            CrossSigningKey master = mine.get(MASTER);
            if (master != null && master.publicKey().equals(keyId)) {
                return ownMasterSignedByDevices(me, master, signed);
            }
            Optional<E2eKeyStore.DeviceKeys> device = keys.deviceKeys(me, List.of(keyId)).stream().findFirst();
            if (device.isPresent()) {
                CrossSigningKey selfSigning = mine.get(SELF_SIGNING);
                if (selfSigning == null) {
                    throw new Failure(ErrorCode.M_INVALID_SIGNATURE, "No self-signing key to sign devices with");
                }
                requireSame(SignedKeys.parse(device.get().json()), signed);
                return List.of(verified(signed, me, selfSigning, target, keyId));
            }
            throw new Failure(ErrorCode.M_NOT_FOUND, "Unknown key " + keyId);
        }
        if (!SignedKeys.isUserId(target)) {
            throw new Failure(ErrorCode.M_INVALID_PARAM, "Invalid user id " + target);
        }
        CrossSigningKey theirMaster = keys.crossSigningKeys(target).get(MASTER);
        if (theirMaster == null || !theirMaster.publicKey().equals(keyId)) {
            throw new Failure(ErrorCode.M_NOT_FOUND, "Unknown master key " + keyId + " of " + target);
        }
        CrossSigningKey userSigning = mine.get(USER_SIGNING);
        if (userSigning == null) {
            throw new Failure(ErrorCode.M_INVALID_SIGNATURE, "No user-signing key to sign other users with");
        }
        requireSame(SignedKeys.parse(theirMaster.json()), signed);
        return List.of(verified(signed, me, userSigning, target, keyId));
    }

    private List<Signature> ownMasterSignedByDevices(String me, CrossSigningKey master, ObjectNode signed)
            throws Failure {
        requireSame(SignedKeys.parse(master.json()), signed);
        var accepted = new ArrayList<Signature>();
        for (var entry : signed.path("signatures").path(me).properties()) {
            String signerKeyId = entry.getKey();
            if (!signerKeyId.startsWith("ed25519:") || !entry.getValue().isTextual()) {
                continue;
            }
            String deviceId = signerKeyId.substring("ed25519:".length());
            Optional<E2eKeyStore.DeviceKeys> device = keys.deviceKeys(me, List.of(deviceId)).stream().findFirst();
            if (device.isEmpty()) {
                continue;
            }
            String publicKey = SignedKeys.parse(device.get().json()).path("keys").path(signerKeyId).asText("");
            VerifyKey key = SignedKeys.ed25519(publicKey)
                    .orElseThrow(() -> new Failure(ErrorCode.M_INVALID_SIGNATURE, "Device has no ed25519 key"));
            if (!SignedKeys.verify(signed, me, signerKeyId, key)) {
                throw new Failure(ErrorCode.M_INVALID_SIGNATURE, "Invalid signature by device " + deviceId);
            }
            accepted.add(new Signature(me, master.publicKey(), me, signerKeyId, entry.getValue().asText()));
        }
        if (accepted.isEmpty()) {
            throw new Failure(ErrorCode.M_INVALID_SIGNATURE, "No signature by one of your devices");
        }
        return accepted;
    }

    private static void requireSame(ObjectNode stored, ObjectNode signed) throws Failure {
        if (!SignedKeys.signedPart(stored).equals(SignedKeys.signedPart(signed))) {
            throw new Failure(ErrorCode.M_INVALID_PARAM, "The signed object differs from the stored key");
        }
    }

    private static Signature verified(ObjectNode signed, String me, CrossSigningKey signer, String target,
                                      String keyId) throws Failure {
        String signerKeyId = "ed25519:" + signer.publicKey();
        String signature = SignedKeys.signature(signed, me, signerKeyId)
                .orElseThrow(() -> new Failure(ErrorCode.M_INVALID_SIGNATURE, "Missing signature by " + signerKeyId));
        if (!SignedKeys.verify(signed, me, signerKeyId, verifyKey(signer))) {
            throw new Failure(ErrorCode.M_INVALID_SIGNATURE, "Invalid signature");
        }
        return new Signature(target, keyId, me, signerKeyId, signature);
    }
}
