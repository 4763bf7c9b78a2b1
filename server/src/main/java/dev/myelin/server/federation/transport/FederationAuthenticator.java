package dev.myelin.server.federation.transport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.spec.crypto.VerifyKey;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.ServerName;
import org.eclipse.jetty.http.HttpHeader;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Verifies the X-Matrix signature of an inbound federation request and yields its origin (spec: server-server-api
 * "Request Authentication"). Every failure is 401 M_UNAUTHORIZED: no or malformed header, a destination that is
 * not us, a key the origin does not have (valid now), or a signature that does not match.
 */
public final class FederationAuthenticator {
    private final String serverName;
    private final OriginKeys keys;
    private final Consumer<String> onVerified;

    /** @param onVerified told each verified origin (it is up: the sender ends its back-off) */
    public FederationAuthenticator(String serverName, OriginKeys keys, Consumer<String> onVerified) {
        this.serverName = serverName;
        this.keys = keys;
        this.onVerified = onVerified;
    }

    /** The verified origin server name of the request. */
    public String authenticate(MatrixRequest request) throws IOException {
        String header = request.header(HttpHeader.AUTHORIZATION.asString()).orElse(null);
        XMatrix auth = XMatrix.parse(header).orElseThrow(() -> unauthorized("Missing or malformed X-Matrix authorization"));
        if (auth.destination().isPresent() && !auth.destination().get().equals(serverName)) {
            throw unauthorized("This request is for " + auth.destination().get() + ", not " + serverName);
        }
        try {
            ServerName.parse(auth.origin());
        } catch (InvalidIdentifierException e) {
            throw unauthorized("The origin is not a valid server name");
        }
        if (auth.origin().equals(serverName)) {
            throw unauthorized("Requests from this server's own name are not accepted over federation");
        }
        JsonNode content = request.bodyBytes().length == 0 ? null : request.jsonBody();
        var signed = new SignedRequest(request.method(), request.jetty().getHttpURI().getPathQuery(), auth.origin(),
                serverName, content);
        Optional<VerifyKey> key;
        try {
            key = keys.currentKey(auth.origin(), auth.key());
        } catch (IllegalArgumentException badKeyId) {
            throw unauthorized("Malformed key id " + auth.key());
        }
        if (key.isEmpty()) {
            throw unauthorized("Could not find a valid key " + auth.key() + " of " + auth.origin());
        }
        if (!signed.verify(auth.signature(), key.get())) {
            throw unauthorized("Invalid signature by " + auth.origin() + " with " + auth.key());
        }
        onVerified.accept(auth.origin());
        return auth.origin();
    }

    private static MatrixException unauthorized(String message) {
        return new MatrixException(401, ErrorCode.M_UNAUTHORIZED, message);
    }
}
