package dev.myelin.server.client;

import dev.myelin.server.appservice.AppServicePing;
import dev.myelin.server.appservice.AppServices;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Endpoint;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;

import java.util.Map;

/**
 * {@code POST /_matrix/client/v1/appservice/{appserviceId}/ping} (spec: appservice_ping.yaml): only the application
 * service named in the path may call it (else 403 M_FORBIDDEN); the homeserver pings it back and reports the time.
 */
public final class AppServicePingEndpoint implements Endpoint {
    public static final String PATH = "/_matrix/client/v1/appservice/{appserviceId}/ping";

    private final Authenticator authenticator;
    private final AppServices appServices;
    private final AppServicePing ping;

    public AppServicePingEndpoint(Authenticator authenticator, AppServices appServices, AppServicePing ping) {
        this.authenticator = authenticator;
        this.appServices = appServices;
        this.ping = ping;
    }

    @Override
    public MatrixResponse handle(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        String id = request.pathParam("appserviceId");
        if (!id.equals(requester.appServiceId())) {
            throw MatrixException.forbidden("Only the application service itself may ping it");
        }
        var registration = appServices.byId(id).orElseThrow(() -> MatrixException.forbidden("Unknown application service"));
        var transactionId = Fields.string(request.jsonObject(), "transaction_id");
        return MatrixResponse.ok(Map.of("duration_ms", ping.ping(registration, transactionId)));
    }
}
