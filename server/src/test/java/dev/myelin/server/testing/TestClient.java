package dev.myelin.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** A small HTTP client for endpoint tests: real requests over a real socket. */
public final class TestClient {
    /** A response with its body parsed as JSON when it is JSON. */
    public record Reply(int status, Map<String, java.util.List<String>> headers, String body) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst().orElse(null);
        }

        public String errcode() {
            return json().path("errcode").asText(null);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final String baseUrl;

    public TestClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    public Reply get(String path, String accessToken) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET()
                .header("Authorization", "Bearer " + accessToken));
    }

    public Reply request(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    /** A JSON request with an access token. */
    public Reply request(String method, String path, String body, String accessToken) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + accessToken));
    }

    public Reply send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
