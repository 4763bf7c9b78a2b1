package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.PusherStore;
import dev.myelin.server.storage.PusherStore.Pusher;
import dev.myelin.server.user.DeviceListener;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * A user's pushers (spec: pusher.yaml). Only {@code http} pushers are accepted: this server sends no email, so an
 * {@code email} pusher is refused rather than stored and never used.
 */
public final class PusherService implements DeviceListener {
    static final String NOTIFY_PATH = "/_matrix/push/v1/notify";
    private static final int MAX_PUSHKEY_BYTES = 512;
    private static final int MAX_APP_ID_CHARS = 64;

    private final PusherStore store;
    private final Clock clock;

    public PusherService(PusherStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public List<Pusher> pushers(String userId) {
        return store.pushers(userId);
    }

    /** What POST /pushers/set asks for; {@code kind} null deletes. */
    public record Request(String kind, String appId, String pushkey, String appDisplayName,
                          String deviceDisplayName, String profileTag, String lang, JsonNode data, boolean append) {}

    public void set(String userId, String deviceId, Request request) {
        if (request.appId().length() > MAX_APP_ID_CHARS) {
            throw MatrixException.invalidParam("'app_id' is longer than 64 characters");
        }
        if (request.pushkey().getBytes(StandardCharsets.UTF_8).length > MAX_PUSHKEY_BYTES) {
            throw MatrixException.invalidParam("'pushkey' is longer than 512 bytes");
        }
        if (request.kind() == null) {
            store.delete(userId, request.appId(), request.pushkey());
            return;
        }
        if (!"http".equals(request.kind())) {
            throw MatrixException.invalidParam("Unsupported pusher kind '" + request.kind()
                    + "': this server only has http pushers");
        }
        var missing = new java.util.ArrayList<String>();
        if (request.appDisplayName() == null) {
            missing.add("app_display_name");
        }
        if (request.deviceDisplayName() == null) {
            missing.add("device_display_name");
        }
        if (request.lang() == null) {
            missing.add("lang");
        }
        if (request.data() == null) {
            missing.add("data");
        }
        if (!missing.isEmpty()) {
            throw MatrixException.missingParam("Missing parameters: " + String.join(", ", missing));
        }
        if (!(request.data() instanceof ObjectNode data)) {
            throw MatrixException.badJson("'data' must be an object");
        }
        validateUrl(data.get("url"));
        JsonNode format = data.get("format");
        if (format != null && !format.isNull() && !"event_id_only".equals(format.asText(null))) {
            throw MatrixException.invalidParam("'data.format' must be event_id_only when given");
        }
        store.set(new Pusher(0, userId, deviceId, request.kind(), request.appId(), request.pushkey(),
                request.appDisplayName(), request.deviceDisplayName(), request.profileTag(), request.lang(),
                data.deepCopy(), clock.millis()), request.append());
    }

    /**
     * {@code data.url} must be an absolute http(s) URL whose path is {@code /_matrix/push/v1/notify}. The spec asks
     * for HTTPS; plain HTTP is accepted too, for gateways on a private network (Synapse does the same).
     */
    private static void validateUrl(JsonNode url) {
        if (url == null || !url.isTextual()) {
            throw MatrixException.invalidParam("'data.url' is required for http pushers");
        }
        try {
            URI uri = new URI(url.asText());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
                    || uri.getHost() == null || !NOTIFY_PATH.equals(uri.getPath())) {
                throw MatrixException.invalidParam("'data.url' must be an http(s) URL ending in " + NOTIFY_PATH);
            }
        } catch (URISyntaxException e) {
            throw MatrixException.invalidParam("'data.url' is not a URL");
        }
    }

    @Override
    public void renamed(String userId, String deviceId) {
    }

    /** Deleted devices take their pushers with them. */
    @Override
    public void deleted(String userId, List<String> deviceIds) {
        store.deleteOfDevices(userId, deviceIds);
    }
}
