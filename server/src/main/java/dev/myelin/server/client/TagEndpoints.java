package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.accountdata.RoomTags;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Room tags (spec: modules/tags.md, tags.yaml), only for yourself. */
public final class TagEndpoints {
    /** Spec "Room Tagging": the name of a tag MUST NOT exceed 255 bytes. */
    private static final int MAX_TAG_BYTES = 255;

    private final Authenticator authenticator;
    private final RoomTags tags;

    public TagEndpoints(Authenticator authenticator, RoomTags tags) {
        this.authenticator = authenticator;
        this.tags = tags;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("GET", v3, "/user/{userId}/rooms/{roomId}/tags", this::list);
        router.add("PUT", v3, "/user/{userId}/rooms/{roomId}/tags/{tag}", this::put);
        router.add("DELETE", v3, "/user/{userId}/rooms/{roomId}/tags/{tag}", this::delete);
    }

    private MatrixResponse list(MatrixRequest request) {
        Requester requester = AccountDataEndpoints.requireSelf(authenticator, request);
        return MatrixResponse.ok(Map.of("tags", tags.tags(requester.userId(), AccountDataEndpoints.roomId(request))));
    }

    private MatrixResponse put(MatrixRequest request) throws Exception {
        Requester requester = AccountDataEndpoints.requireSelf(authenticator, request);
        String roomId = AccountDataEndpoints.roomId(request);
        String tag = tag(request);
        ObjectNode content = request.jsonObject();
        JsonNode order = content.get("order");
        if (order != null && !order.isNull()) {
            if (!order.isNumber()) {
                throw MatrixException.badJson("'order' must be a number");
            }
            if (order.asDouble() < 0 || order.asDouble() > 1) {
                throw MatrixException.invalidParam("'order' must be between 0 and 1");
            }
        }
        tags.put(requester.userId(), roomId, tag, content);
        return MatrixResponse.empty();
    }

    private MatrixResponse delete(MatrixRequest request) {
        Requester requester = AccountDataEndpoints.requireSelf(authenticator, request);
        tags.remove(requester.userId(), AccountDataEndpoints.roomId(request), tag(request));
        return MatrixResponse.empty();
    }

    private static String tag(MatrixRequest request) {
        String tag = request.pathParam("tag");
        if (tag.isEmpty() || tag.getBytes(StandardCharsets.UTF_8).length > MAX_TAG_BYTES) {
            throw MatrixException.invalidParam("A tag must be 1 to " + MAX_TAG_BYTES + " bytes long");
        }
        return tag;
    }
}
