package dev.myelin.server.federation.transport;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Signed requests to other homeservers (spec: server-server-api "Request Authentication"), found by server name
 * resolution. {@code path} is the target from {@code /_matrix/} with any query string, already percent-encoded;
 * the answer is the JSON body of a 2xx response. Blocking: call from a virtual thread.
 */
public interface FederationClient {

    JsonNode get(String destination, String path) throws FederationException;

    JsonNode put(String destination, String path, JsonNode body) throws FederationException;

    JsonNode post(String destination, String path, JsonNode body) throws FederationException;

    /**
     * A signed GET whose answer is handed over unread, whatever its status (media downloads, too large to hold).
     * The caller closes it. Clients that only speak JSON (test doubles) do not download.
     */
    default FederationHttp.Streamed download(String destination, String path) throws FederationException {
        throw new FederationException(destination, 0, java.util.Optional.empty(), "this client does not download");
    }
}
