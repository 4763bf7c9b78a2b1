package dev.myelin.server.e2ee;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.spec.crypto.VerifyKey;
import dev.myelin.spec.json.CanonicalJson;
import dev.myelin.spec.json.InvalidJsonException;
import dev.myelin.spec.json.UnpaddedBase64;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.UserId;

import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Set;

/** Reading, checking and storing the signed JSON objects that E2EE keys are. */
final class SignedKeys {
    private static final Set<String> NOT_SIGNED = Set.of("signatures", "unsigned");

    private SignedKeys() {
    }

    static String text(JsonNode json) {
        try {
            return Json.MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode parse(String text) {
        return (ObjectNode) value(text);
    }

    static JsonNode value(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The object without the parts a signature does not cover, to compare a re-signed key with the stored one. */
    static ObjectNode signedPart(ObjectNode json) {
        ObjectNode copy = json.deepCopy();
        copy.remove("signatures");
        copy.remove("unsigned");
        return copy;
    }

    static ObjectNode object(JsonNode parent, String field) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw MatrixException.badJson("'" + field + "' must be an object");
        }
        return (ObjectNode) value;
    }

    static String userId(String text) {
        try {
            return UserId.parse(text).toString();
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid user id: " + text);
        }
    }

    static boolean isUserId(String text) {
        try {
            UserId.parse(text);
            return true;
        } catch (InvalidIdentifierException e) {
            return false;
        }
    }

    /**
     * An unpadded base64 Ed25519 public key, empty when it is not one. Its key id is a placeholder: E2EE key ids
     * ({@code ed25519:<device id>}, {@code ed25519:<public key>}) may hold characters server key ids may not, so
     * {@link #verify} looks signatures up by the real key id.
     */
    static Optional<VerifyKey> ed25519(String publicKey) {
        try {
            return Optional.of(VerifyKey.fromBase64("ed25519:e2ee", publicKey));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the object carries a valid signature by {@code signer} under {@code keyId} (spec: appendices
     * "Checking for a Signature": canonical JSON without signatures and unsigned).
     */
    static boolean verify(ObjectNode json, String signer, String keyId, VerifyKey key) {
        Optional<String> signature = signature(json, signer, keyId);
        if (signature.isEmpty()) {
            return false;
        }
        try {
            return key.verify(CanonicalJson.STRICT.encodeWithout(json, NOT_SIGNED),
                    UnpaddedBase64.decode(signature.get()));
        } catch (IllegalArgumentException | InvalidJsonException e) {
            return false;
        }
    }

    /** The signature {@code signer} made with {@code keyId}, if the object carries one. */
    static Optional<String> signature(ObjectNode json, String signer, String keyId) {
        JsonNode value = json.path("signatures").path(signer).get(keyId);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** Adds a signature to the object's {@code signatures}. */
    static void addSignature(ObjectNode json, String signer, String keyId, String signature) {
        JsonNode all = json.get("signatures");
        ObjectNode signatures = all instanceof ObjectNode existing ? existing : json.putObject("signatures");
        JsonNode mine = signatures.get(signer);
        (mine instanceof ObjectNode existing ? existing : signatures.putObject(signer)).put(keyId, signature);
    }
}
