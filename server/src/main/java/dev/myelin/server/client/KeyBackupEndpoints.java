package dev.myelin.server.client;

import dev.myelin.server.e2ee.KeyBackups;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;

import java.util.Map;
import java.util.Optional;

/** Server-side key backups (spec: key_backup.yaml): backup versions and the room keys in them. */
public final class KeyBackupEndpoints {
    private final Authenticator authenticator;
    private final KeyBackups backups;

    public KeyBackupEndpoints(Authenticator authenticator, KeyBackups backups) {
        this.authenticator = authenticator;
        this.backups = backups;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("POST", v3, "/room_keys/version", this::create);
        router.add("GET", v3, "/room_keys/version", this::info);
        router.add("GET", v3, "/room_keys/version/{version}", this::info);
        router.add("PUT", v3, "/room_keys/version/{version}", this::update);
        router.add("DELETE", v3, "/room_keys/version/{version}", this::delete);
        for (String path : new String[] {"/room_keys/keys", "/room_keys/keys/{roomId}",
                "/room_keys/keys/{roomId}/{sessionId}"}) {
            router.add("PUT", v3, path, this::putKeys);
            router.add("GET", v3, path, this::getKeys);
            router.add("DELETE", v3, path, this::deleteKeys);
        }
    }

    private MatrixResponse create(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(Map.of("version", backups.create(requester.userId(), request.jsonObject())));
    }

    private MatrixResponse info(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(backups.info(requester.userId(), request.pathParamIfPresent("version")));
    }

    private MatrixResponse update(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        backups.update(requester.userId(), request.pathParam("version"), request.jsonObject());
        return MatrixResponse.empty();
    }

    private MatrixResponse delete(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        backups.delete(requester.userId(), request.pathParam("version"));
        return MatrixResponse.empty();
    }

    private static String version(MatrixRequest request) {
        return request.query("version").orElseThrow(() -> MatrixException.missingParam("Missing 'version'"));
    }

    private MatrixResponse putKeys(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(backups.put(requester.userId(), version(request), request.pathParamIfPresent("roomId"),
                request.pathParamIfPresent("sessionId"), request.jsonObject()));
    }

    private MatrixResponse getKeys(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(backups.get(requester.userId(), version(request), request.pathParamIfPresent("roomId"),
                request.pathParamIfPresent("sessionId")));
    }

    private MatrixResponse deleteKeys(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(backups.deleteKeys(requester.userId(), version(request),
                request.pathParamIfPresent("roomId"), request.pathParamIfPresent("sessionId")));
    }
}
