package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.DeviceStore.Device;
import dev.myelin.server.user.DeviceService;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Device management (spec: modules/device_management.md, device_management.yaml). Deleting devices needs UIA. */
public final class DeviceEndpoints {
    private final Authenticator authenticator;
    private final DeviceService devices;
    private final PasswordUia passwordUia;

    public DeviceEndpoints(Authenticator authenticator, DeviceService devices, PasswordUia passwordUia) {
        this.authenticator = authenticator;
        this.devices = devices;
        this.passwordUia = passwordUia;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("GET", v3, "/devices", this::list);
        router.add("GET", v3, "/devices/{deviceId}", this::get);
        router.add("PUT", v3, "/devices/{deviceId}", this::rename);
        router.add("DELETE", v3, "/devices/{deviceId}", this::delete);
        router.add("POST", v3, "/delete_devices", this::deleteMany);
    }

    static Map<String, Object> render(Device device) {
        var out = new LinkedHashMap<String, Object>();
        out.put("device_id", device.deviceId());
        device.displayName().ifPresent(name -> out.put("display_name", name));
        device.lastSeenIp().ifPresent(ip -> out.put("last_seen_ip", ip));
        device.lastSeenTs().ifPresent(ts -> out.put("last_seen_ts", ts));
        return out;
    }

    private MatrixResponse list(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(Map.of("devices",
                devices.list(requester.userId()).stream().map(DeviceEndpoints::render).toList()));
    }

    private MatrixResponse get(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return devices.get(requester.userId(), Fields.deviceId(request.pathParam("deviceId")))
                .map(device -> MatrixResponse.ok(render(device)))
                .orElseThrow(() -> MatrixException.notFound("No such device"));
    }

    private MatrixResponse rename(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        ObjectNode body = request.jsonObject();
        Optional<String> name = Fields.string(body, "display_name");
        String deviceId = Fields.deviceId(request.pathParam("deviceId"));
        if (requester.isAppService() && devices.get(requester.userId(), deviceId).isEmpty()) {
            // Application services create devices for their users this way (spec v1.17, MSC4190): 201.
            if (name.isPresent() && name.get().length() > 1000) {
                throw MatrixException.invalidParam("'display_name' is too long");
            }
            if (devices.create(requester.userId(), deviceId, name)) {
                return MatrixResponse.json(201, Map.of());
            }
        }
        if (!body.has("display_name")) {
            if (devices.get(requester.userId(), deviceId).isEmpty()) {
                throw MatrixException.notFound("No such device");
            }
            return MatrixResponse.empty();
        }
        if (name.isPresent() && name.get().length() > 1000) {
            throw MatrixException.invalidParam("'display_name' is too long");
        }
        if (!devices.rename(requester.userId(), deviceId, name)) {
            throw MatrixException.notFound("No such device");
        }
        return MatrixResponse.empty();
    }

    /** Deleting a device that does not exist succeeds (it is gone either way), after UIA like any deletion. */
    private MatrixResponse delete(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request);
        String deviceId = Fields.deviceId(request.pathParam("deviceId"));
        if (!requester.isAppService()) {
            // Application services delete devices without UIA (spec v1.17, MSC4190).
            passwordUia.authenticate(request.jsonObject(), "delete_devices", Optional.of(requester.userId()),
                    request.remoteAddress());
        }
        devices.delete(requester.userId(), List.of(deviceId));
        return MatrixResponse.empty();
    }

    private MatrixResponse deleteMany(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request);
        ObjectNode body = request.jsonObject();
        JsonNode ids = body.get("devices");
        if (ids == null || ids.isNull()) {
            throw MatrixException.missingParam("Missing 'devices'");
        }
        if (!ids.isArray()) {
            throw MatrixException.badJson("'devices' must be an array of strings");
        }
        var deviceIds = new ArrayList<String>();
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw MatrixException.badJson("'devices' must be an array of strings");
            }
            deviceIds.add(Fields.deviceId(id.asText()));
        }
        if (!requester.isAppService()) {
            passwordUia.authenticate(body, "delete_devices", Optional.of(requester.userId()), request.remoteAddress());
        }
        devices.delete(requester.userId(), deviceIds);
        return MatrixResponse.empty();
    }
}
