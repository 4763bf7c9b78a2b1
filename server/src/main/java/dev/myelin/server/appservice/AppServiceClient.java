package dev.myelin.server.appservice;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Requests from the homeserver to an application service (spec: application-service-api "Homeserver -> Application
 * Service API"), authenticated with its hs_token as a bearer token ("Authorisation").
 */
public final class AppServiceClient {
    /** What the service answered; {@code status} 0 never happens: failures to connect throw. */
    public record Answer(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public JsonNode json() throws IOException {
            return Json.MAPPER.readTree(body);
        }
    }

    /** Connecting or waiting failed; {@code timedOut} tells a timeout from a refused or broken connection. */
    public static final class Unreachable extends IOException {
        private final boolean timedOut;

        Unreachable(String message, Throwable cause, boolean timedOut) {
            super(message, cause);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }

    private final HttpClient http;
    private final Duration timeout;

    public AppServiceClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public Answer put(AppServiceRegistration registration, String path, String jsonBody) throws IOException {
        return send(registration, path, Map.of(), "PUT", jsonBody);
    }

    public Answer post(AppServiceRegistration registration, String path, String jsonBody) throws IOException {
        return send(registration, path, Map.of(), "POST", jsonBody);
    }

    public Answer get(AppServiceRegistration registration, String path, Map<String, String> query) throws IOException {
        return send(registration, path, query, "GET", null);
    }

    /** A path segment, percent-encoded. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Answer send(AppServiceRegistration registration, String path, Map<String, String> query, String method,
                        String jsonBody) throws IOException {
        String base = registration.url().orElseThrow().toString();
        String queryString = query.isEmpty() ? "" : "?" + query.entrySet().stream()
                .map(e -> segment(e.getKey()) + "=" + segment(e.getValue())).collect(Collectors.joining("&"));
        var request = HttpRequest.newBuilder(URI.create(base.replaceAll("/+$", "") + path + queryString))
                .timeout(timeout)
                .header("Authorization", "Bearer " + registration.hsToken())
                .header("Content-Type", "application/json")
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (HttpTimeoutException e) {
            throw new Unreachable("application service " + registration.id() + " timed out", e, true);
        } catch (IOException e) {
            throw new Unreachable("application service " + registration.id() + " unreachable: " + e, e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted", e, false);
        }
    }
}
