package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.e2ee.DehydratedDevices;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MSC3814 dehydrated devices under its unstable prefix. The events of a dehydrated device are read with POST (as
 * matrix-rust-sdk does, {@code next_batch} in the body) or GET ({@code from} in the query, as the MSC shows).
 */
public final class DehydratedDeviceEndpoints {
    static final List<String> PREFIX = List.of("/_matrix/client/unstable/org.matrix.msc3814.v1");

    private final Authenticator authenticator;
    private final DehydratedDevices dehydrated;

    public DehydratedDeviceEndpoints(Authenticator authenticator, DehydratedDevices dehydrated) {
        this.authenticator = authenticator;
        this.dehydrated = dehydrated;
    }

    public void register(Router router) {
        router.add("PUT", PREFIX, "/dehydrated_device", this::put);
        router.add("GET", PREFIX, "/dehydrated_device", this::get);
        router.add("DELETE", PREFIX, "/dehydrated_device", this::delete);
        router.add("POST", PREFIX, "/dehydrated_device/{deviceId}/events", this::events);
        router.add("GET", PREFIX, "/dehydrated_device/{deviceId}/events", this::events);
    }

    private MatrixResponse put(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request);
        return MatrixResponse.ok(Map.of("device_id", dehydrated.put(requester.userId(), request.jsonObject())));
    }

    private MatrixResponse get(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(dehydrated.get(requester.userId()));
    }

    private MatrixResponse delete(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(Map.of("device_id", dehydrated.delete(requester.userId())));
    }

    private MatrixResponse events(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        Optional<String> from = request.query("from");
        if (request.method().equals("POST")) {
            JsonNode body = request.jsonObject();
            JsonNode next = body.get("next_batch");
            if (next != null && next.isTextual()) {
                from = Optional.of(next.asText());
            }
        }
        return MatrixResponse.ok(dehydrated.events(requester.userId(), request.pathParam("deviceId"), from));
    }
}
