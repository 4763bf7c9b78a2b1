package dev.myelin.server.client;

import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.sync.FilterService;
import dev.myelin.server.sync.SyncRequest;
import dev.myelin.server.sync.SyncService;
import dev.myelin.server.sync.SyncToken;

import java.util.Map;
import java.util.Optional;

/** {@code GET /sync} and the filter API (spec: client-server-api "Syncing" and "Filtering"). */
public final class SyncEndpoints {
    private final Authenticator authenticator;
    private final SyncService sync;
    private final FilterService filters;

    public SyncEndpoints(Authenticator authenticator, SyncService sync, FilterService filters) {
        this.authenticator = authenticator;
        this.sync = sync;
        this.filters = filters;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("GET", v3, "/sync", this::sync);
        router.add("POST", v3, "/user/{userId}/filter", this::upload);
        router.add("GET", v3, "/user/{userId}/filter/{filterId}", this::get);
    }

    private MatrixResponse sync(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        Optional<SyncToken> since = request.query("since").filter(s -> !s.isEmpty()).map(SyncToken::parse);
        boolean fullState = bool(request, "full_state");
        long timeout = request.query("timeout").map(value -> {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("'timeout' must be an integer");
            }
        }).orElse(0L);
        Optional<String> presence = request.query("set_presence");
        if (presence.isPresent() && !presence.get().matches("online|offline|unavailable")) {
            throw MatrixException.invalidParam("'set_presence' must be online, offline or unavailable");
        }
        boolean stateAfter = bool(request, "use_state_after") || bool(request, "org.matrix.msc4222.use_state_after");
        var syncRequest = new SyncRequest(requester.userId(), requester.deviceId(),
                filters.resolve(requester.userId(), request.query("filter")), since, fullState,
                fullState ? 0 : timeout, stateAfter, presence.orElse("online"));
        return MatrixResponse.ok(sync.sync(syncRequest));
    }

    private static boolean bool(MatrixRequest request, String name) {
        Optional<String> value = request.query(name);
        if (value.isEmpty()) {
            return false;
        }
        return switch (value.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam("'" + name + "' must be true or false");
        };
    }

    private MatrixResponse upload(MatrixRequest request) throws Exception {
        Requester requester = ownUser(request);
        return MatrixResponse.ok(Map.of("filter_id", filters.upload(requester.userId(), request.jsonObject())));
    }

    private MatrixResponse get(MatrixRequest request) {
        Requester requester = ownUser(request);
        return filters.get(requester.userId(), request.pathParam("filterId")).map(MatrixResponse::ok)
                .orElseThrow(() -> MatrixException.notFound("No such filter"));
    }

    private Requester ownUser(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        if (!requester.userId().equals(request.pathParam("userId"))) {
            throw MatrixException.forbidden("Cannot use filters of another user");
        }
        return requester;
    }
}
