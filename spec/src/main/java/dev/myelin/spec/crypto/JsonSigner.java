package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.json.CanonicalJson;
import dev.myelin.spec.json.InvalidJsonException;
import dev.myelin.spec.json.UnpaddedBase64;

import java.util.HashSet;
import java.util.Set;

/**
 * Signs JSON objects and checks their signatures (spec: appendices "Signing Details", "Checking
 * for a Signature"): the signature covers the canonical JSON of the object without its
 * "signatures" and "unsigned" keys, and goes into {@code signatures.<entity>.<key id>}.
 */
public final class JsonSigner {
    static final Set<String> NOT_SIGNED = Set.of("signatures", "unsigned");

    private JsonSigner() {
    }

    /** Signs the object in place with strict canonical JSON and returns it. */
    public static ObjectNode sign(ObjectNode json, String entity, SigningKey key) {
        return sign(json, entity, key, CanonicalJson.STRICT);
    }

    /** Signs the object in place, encoding it as given, and returns it. */
    public static ObjectNode sign(ObjectNode json, String entity, SigningKey key, CanonicalJson encoding) {
        String signature = signature(json, key, encoding);
        JsonNode signatures = json.get("signatures");
        ObjectNode all = signatures instanceof ObjectNode existing ? existing : json.putObject("signatures");
        JsonNode forEntity = all.get(entity);
        ObjectNode mine = forEntity instanceof ObjectNode existing ? existing : all.putObject(entity);
        mine.put(key.keyId(), signature);
        return json;
    }

    /** The unpadded base64 signature of the object, without adding it. */
    public static String signature(ObjectNode json, SigningKey key, CanonicalJson encoding) {
        return UnpaddedBase64.encode(key.sign(encoding.encodeWithout(json, NOT_SIGNED)));
    }

    /** Whether the object carries a valid signature by this entity with this key (strict encoding). */
    public static boolean verify(ObjectNode json, String entity, VerifyKey key) {
        return verify(json, entity, key, CanonicalJson.STRICT);
    }

    /**
     * Whether the object carries a valid signature by this entity with this key. False when the
     * signature is missing, not base64, or wrong, or when the object cannot be encoded.
     */
    public static boolean verify(ObjectNode json, String entity, VerifyKey key, CanonicalJson encoding) {
        JsonNode signature = json.path("signatures").path(entity).get(key.keyId());
        if (signature == null || !signature.isTextual()) {
            return false;
        }
        byte[] signatureBytes;
        byte[] message;
        try {
            signatureBytes = UnpaddedBase64.decode(signature.textValue());
            message = encoding.encodeWithout(json, NOT_SIGNED);
        } catch (IllegalArgumentException | InvalidJsonException e) {
            return false;
        }
        return key.verify(message, signatureBytes);
    }

    /** The key ids with which this entity signed the object. */
    public static Set<String> keyIds(ObjectNode json, String entity) {
        JsonNode mine = json.path("signatures").path(entity);
        Set<String> ids = new HashSet<>();
        mine.properties().forEach(entry -> ids.add(entry.getKey()));
        return Set.copyOf(ids);
    }
}
