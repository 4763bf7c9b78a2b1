package dev.myelin.server.federation.transport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.discovery.Destination;
import dev.myelin.server.federation.discovery.ServerResolver;
import dev.myelin.server.http.Json;
import dev.myelin.spec.crypto.SigningKey;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link FederationClient}: resolves the destination, signs the request with our key, sends it over
 * {@link FederationHttp} and turns the answer into JSON or a {@link FederationException}.
 */
public final class HttpFederationClient implements FederationClient {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String serverName;
    private final SigningKey signingKey;
    private final ServerResolver resolver;
    private final FederationHttp http;

    public HttpFederationClient(String serverName, SigningKey signingKey, ServerResolver resolver, FederationHttp http) {
        this.serverName = serverName;
        this.signingKey = signingKey;
        this.resolver = resolver;
        this.http = http;
    }

    @Override
    public JsonNode get(String destination, String path) throws FederationException {
        return send("GET", destination, path, null);
    }

    @Override
    public JsonNode put(String destination, String path, JsonNode body) throws FederationException {
        return send("PUT", destination, path, body);
    }

    @Override
    public JsonNode post(String destination, String path, JsonNode body) throws FederationException {
        return send("POST", destination, path, body);
    }

    @Override
    public FederationHttp.Streamed download(String destination, String path) throws FederationException {
        if (destination.equals(serverName)) {
            throw new FederationException(destination, 0, Optional.empty(), "refusing to send a request to ourselves");
        }
        Destination resolved = resolver.resolve(destination);
        String authorization = new SignedRequest("GET", path, serverName, destination, null).authorization(signingKey);
        try {
            return http.open(destination, resolved, "GET", path, Map.of("Authorization", authorization), null,
                    TIMEOUT);
        } catch (IOException e) {
            throw new FederationException(destination, "GET " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FederationException(destination, "interrupted", e);
        }
    }

    private JsonNode send(String method, String destination, String path, JsonNode body) throws FederationException {
        if (destination.equals(serverName)) {
            throw new FederationException(destination, 0, Optional.empty(), "refusing to send a request to ourselves");
        }
        Destination resolved = resolver.resolve(destination);
        String authorization = new SignedRequest(method, path, serverName, destination, body).authorization(signingKey);
        byte[] bytes;
        try {
            bytes = body == null ? null : Json.MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("request body cannot be written as JSON", e);
        }
        var headers = body == null ? Map.of("Authorization", authorization)
                : Map.of("Authorization", authorization, "Content-Type", "application/json");
        FederationHttp.Response response;
        try {
            response = http.send(destination, resolved, method, path, headers, bytes, TIMEOUT);
        } catch (IOException e) {
            throw new FederationException(destination, method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FederationException(destination, "interrupted", e);
        }
        JsonNode json = null;
        try {
            json = response.body().length == 0 ? null : Json.MAPPER.readTree(response.body());
        } catch (IOException notJson) {
            // judged below
        }
        if (response.status() / 100 != 2) {
            Optional<String> errcode = json == null ? Optional.empty()
                    : Optional.ofNullable(json.path("errcode").textValue());
            String error = json == null ? "" : json.path("error").asText("");
            throw new FederationException(destination, response.status(), errcode,
                    method + " " + path + " answered " + response.status() + " " + errcode.orElse("") + " " + error);
        }
        if (json == null || !json.isContainerNode()) {
            throw new FederationException(destination, 0, Optional.empty(),
                    method + " " + path + " answered " + response.status() + " without JSON");
        }
        return json;
    }
}
