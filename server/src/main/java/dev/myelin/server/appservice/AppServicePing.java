package dev.myelin.server.appservice;

import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The homeserver's half of the ping (spec: application-service-api "Pinging"): {@code POST /_matrix/app/v1/ping} to
 * the service with the caller's transaction id, timed. A service without URL is 400 M_URL_NOT_SET; a non-2xx answer
 * 502 M_BAD_STATUS with its status and body; no connection 502 M_CONNECTION_FAILED; a timeout 504
 * M_CONNECTION_TIMEOUT.
 */
public final class AppServicePing {
    private final AppServiceClient client;

    public AppServicePing(AppServiceClient client) {
        this.client = client;
    }

    /** The round trip in milliseconds. */
    public long ping(AppServiceRegistration registration, Optional<String> transactionId) {
        if (registration.url().isEmpty()) {
            throw new MatrixException(400, ErrorCode.M_URL_NOT_SET, "Application service has no URL");
        }
        var body = new LinkedHashMap<String, Object>();
        transactionId.ifPresent(id -> body.put("transaction_id", id));
        long start = System.nanoTime();
        AppServiceClient.Answer answer;
        try {
            answer = client.post(registration, "/_matrix/app/v1/ping",
                    dev.myelin.server.http.Json.MAPPER.writeValueAsString(body));
        } catch (AppServiceClient.Unreachable e) {
            if (e.timedOut()) {
                throw new MatrixException(504, ErrorCode.M_CONNECTION_TIMEOUT, "Ping timed out");
            }
            throw new MatrixException(502, ErrorCode.M_CONNECTION_FAILED, "Ping failed: could not connect");
        } catch (IOException e) {
            throw new MatrixException(502, ErrorCode.M_CONNECTION_FAILED, "Ping failed: " + e.getMessage());
        }
        long durationMs = (System.nanoTime() - start) / 1_000_000;
        if (!answer.ok()) {
            throw new MatrixException(502, ErrorCode.M_BAD_STATUS, "Ping returned status " + answer.status(),
                    Map.of("status", answer.status(), "body", answer.body()));
        }
        return durationMs;
    }
}
