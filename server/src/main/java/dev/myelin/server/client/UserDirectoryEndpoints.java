package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.userdir.UserDirectoryService;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/** POST /user_directory/search (spec: users.yaml). */
public final class UserDirectoryEndpoints {
    private static final int DEFAULT_LIMIT = 10;

    private final Authenticator authenticator;
    private final UserDirectoryService directory;

    public UserDirectoryEndpoints(Authenticator authenticator, UserDirectoryService directory) {
        this.authenticator = authenticator;
        this.directory = directory;
    }

    public void register(Router router) {
        router.add("POST", Router.CLIENT_V3_AND_R0, "/user_directory/search", this::search);
    }

    private MatrixResponse search(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        ObjectNode body = request.jsonObject();
        String term = Fields.requiredString(body, "search_term");
        int limit = DEFAULT_LIMIT;
        JsonNode given = body.get("limit");
        if (given != null && !given.isNull()) {
            if (!given.canConvertToInt() || !given.isIntegralNumber() || given.asInt() < 0) {
                throw MatrixException.badJson("'limit' must be a non-negative integer");
            }
            limit = given.asInt();
        }
        var found = directory.search(requester.userId(), term, limit);
        var results = new ArrayList<Map<String, Object>>();
        for (var entry : found.results()) {
            var out = new LinkedHashMap<String, Object>();
            out.put("user_id", entry.userId());
            entry.displayName().ifPresent(name -> out.put("display_name", name));
            entry.avatarUrl().ifPresent(url -> out.put("avatar_url", url));
            results.add(out);
        }
        return MatrixResponse.ok(Map.of("results", results, "limited", found.limited()));
    }
}
