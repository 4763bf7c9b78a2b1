package dev.myelin.server.federation.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.JsonSigner;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.crypto.VerifyKey;

/**
 * The JSON object a federation request's signature covers (spec: server-server-api "Request Authentication"):
 * method, target URI (path and query, from {@code /_matrix/}), origin, destination and the parsed body, if any.
 *
 * @param content the request body, or null when the request has none
 */
public record SignedRequest(String method, String uri, String origin, String destination, JsonNode content) {

    ObjectNode json() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("method", method);
        json.put("uri", uri);
        json.put("origin", origin);
        json.put("destination", destination);
        if (content != null) {
            json.set("content", content);
        }
        return json;
    }

    /** The {@code Authorization} header value signing this request with our key. */
    public String authorization(SigningKey key) {
        ObjectNode signed = JsonSigner.sign(json(), origin, key);
        String signature = signed.path("signatures").path(origin).path(key.keyId()).asText();
        return new XMatrix(origin, java.util.Optional.of(destination), key.keyId(), signature).format();
    }

    /** Whether {@code signature} (unpadded base64) is the origin's signature of this request under {@code key}. */
    public boolean verify(String signature, VerifyKey key) {
        ObjectNode json = json();
        json.putObject("signatures").putObject(origin).put(key.keyId(), signature);
        return JsonSigner.verify(json, origin, key);
    }
}
