package dev.myelin.server.client;

import dev.myelin.server.e2ee.ToDeviceService;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;

/** PUT /sendToDevice/{eventType}/{txnId} (spec: modules/send_to_device.md, to_device.yaml). */
public final class ToDeviceEndpoints {
    private final Authenticator authenticator;
    private final ToDeviceService toDevice;

    public ToDeviceEndpoints(Authenticator authenticator, ToDeviceService toDevice) {
        this.authenticator = authenticator;
        this.toDevice = toDevice;
    }

    public void register(Router router) {
        router.add("PUT", Router.CLIENT_V3_AND_R0, "/sendToDevice/{eventType}/{txnId}", this::send);
    }

    private MatrixResponse send(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        toDevice.send(requester, request.pathParam("eventType"), request.pathParam("txnId"), request.jsonObject());
        return MatrixResponse.empty();
    }
}
