package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.CrossSigning;
import dev.myelin.server.e2ee.DeviceLists;
import dev.myelin.server.e2ee.KeyService;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;

import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/** Key management and cross-signing (spec: end_to_end_encryption, keys.yaml, cross_signing.yaml). */
public final class KeysEndpoints {
    private final Authenticator authenticator;
    private final KeyService keys;
    private final CrossSigning crossSigning;
    private final DeviceLists deviceLists;
    private final PasswordUia passwordUia;
    private final ToLongFunction<String> deviceListPosition;

    /**
     * @param deviceListPosition reads the device-list position out of a sync token ({@code from}/{@code to} of
     *                           GET /keys/changes); M_INVALID_PARAM for a token it cannot read
     */
    public KeysEndpoints(Authenticator authenticator, KeyService keys, CrossSigning crossSigning,
                         DeviceLists deviceLists, PasswordUia passwordUia, ToLongFunction<String> deviceListPosition) {
        this.authenticator = authenticator;
        this.keys = keys;
        this.crossSigning = crossSigning;
        this.deviceLists = deviceLists;
        this.passwordUia = passwordUia;
        this.deviceListPosition = deviceListPosition;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("POST", v3, "/keys/upload", this::upload);
        router.add("POST", v3, "/keys/upload/{deviceId}", this::upload);
        router.add("POST", v3, "/keys/query", this::query);
        router.add("POST", v3, "/keys/claim", this::claim);
        router.add("GET", v3, "/keys/changes", this::changes);
        router.add("POST", v3, "/keys/device_signing/upload", this::deviceSigningUpload);
        router.add("POST", v3, "/keys/signatures/upload", this::signaturesUpload);
    }

    private MatrixResponse upload(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        if (requester.deviceId() == null) {
            // An application service that asserted no device (spec: application-service-api "Identity assertion").
            throw MatrixException.missingParam("To upload keys, pass device_id when authenticating as an application service");
        }
        ObjectNode body = request.jsonObject();
        return MatrixResponse.ok(Map.of("one_time_key_counts", keys.upload(requester, body)));
    }

    private MatrixResponse query(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(keys.query(requester, request.jsonObject()));
    }

    private MatrixResponse claim(MatrixRequest request) throws Exception {
        authenticator.require(request);
        return MatrixResponse.ok(keys.claim(request.jsonObject()));
    }

    private MatrixResponse changes(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        long from = deviceListPosition.applyAsLong(request.query("from")
                .orElseThrow(() -> MatrixException.missingParam("Missing 'from'")));
        long to = deviceListPosition.applyAsLong(request.query("to")
                .orElseThrow(() -> MatrixException.missingParam("Missing 'to'")));
        DeviceLists.Delta delta = deviceLists.delta(requester.userId(), from, to);
        return MatrixResponse.ok(Map.of("changed", delta.changed(), "left", delta.left()));
    }

    /** UIA (password) is needed only to replace existing keys (spec, since v1.11). */
    private MatrixResponse deviceSigningUpload(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        ObjectNode body = request.jsonObject();
        CrossSigning.Upload upload = crossSigning.parse(requester.userId(), body);
        // Application services replace their keys without UIA (spec v1.17, MSC4190).
        if (!requester.isAppService() && crossSigning.needsAuth(requester.userId(), upload)) {
            passwordUia.authenticate(body, "device_signing_upload", Optional.of(requester.userId()),
                    request.remoteAddress());
        }
        crossSigning.store(requester.userId(), upload);
        return MatrixResponse.empty();
    }

    private MatrixResponse signaturesUpload(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(crossSigning.uploadSignatures(requester, request.jsonObject()));
    }
}
