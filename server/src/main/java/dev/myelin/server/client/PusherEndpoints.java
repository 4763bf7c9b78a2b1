package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.push.PusherService;
import dev.myelin.server.storage.PusherStore.Pusher;

/** GET /pushers and POST /pushers/set (spec: pusher.yaml). */
public final class PusherEndpoints {
    private final Authenticator authenticator;
    private final PusherService pushers;

    public PusherEndpoints(Authenticator authenticator, PusherService pushers) {
        this.authenticator = authenticator;
        this.pushers = pushers;
    }

    public void register(Router router) {
        router.add("GET", Router.CLIENT_V3_AND_R0, "/pushers", this::list);
        router.add("POST", Router.CLIENT_V3_AND_R0, "/pushers/set", this::set);
    }

    private MatrixResponse list(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("pushers");
        for (Pusher pusher : pushers.pushers(requester.userId())) {
            ObjectNode json = list.addObject();
            json.put("pushkey", pusher.pushkey());
            json.put("kind", pusher.kind());
            json.put("app_id", pusher.appId());
            json.put("app_display_name", pusher.appDisplayName());
            json.put("device_display_name", pusher.deviceDisplayName());
            if (pusher.profileTag() != null) {
                json.put("profile_tag", pusher.profileTag());
            }
            json.put("lang", pusher.lang());
            json.set("data", pusher.data());
        }
        return MatrixResponse.ok(body);
    }

    private MatrixResponse set(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request);
        ObjectNode body = request.jsonObject();
        if (!body.has("kind")) {
            throw MatrixException.missingParam("Missing 'kind'");
        }
        var set = new PusherService.Request(Fields.string(body, "kind").orElse(null),
                Fields.requiredString(body, "app_id"), Fields.requiredString(body, "pushkey"),
                Fields.string(body, "app_display_name").orElse(null),
                Fields.string(body, "device_display_name").orElse(null),
                Fields.string(body, "profile_tag").orElse(null), Fields.string(body, "lang").orElse(null),
                body.get("data") == null || body.get("data").isNull() ? null : body.get("data"),
                Fields.bool(body, "append", false));
        pushers.set(requester.userId(), requester.deviceId(), set);
        return MatrixResponse.empty();
    }
}
