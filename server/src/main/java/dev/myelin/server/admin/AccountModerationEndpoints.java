package dev.myelin.server.admin;

import dev.myelin.server.client.Fields;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.user.AccountModeration;

import java.util.Map;

/**
 * {@code GET/PUT /_matrix/client/v1/admin/lock/{userId}} and {@code .../admin/suspend/{userId}} (spec: admin.yaml,
 * added in v1.18): server admins lock and suspend local accounts.
 */
public final class AccountModerationEndpoints {
    private static final String PREFIX = "/_matrix/client/v1/admin";

    private final Authenticator authenticator;
    private final AccountModeration moderation;

    public AccountModerationEndpoints(Authenticator authenticator, AccountModeration moderation) {
        this.authenticator = authenticator;
        this.moderation = moderation;
    }

    public void register(Router router) {
        router.add("GET", PREFIX + "/lock/{userId}", request -> MatrixResponse.ok(
                Map.of("locked", moderation.locked(authenticator.require(request), request.pathParam("userId")))));
        router.add("PUT", PREFIX + "/lock/{userId}", request -> {
            Requester admin = authenticator.require(request);
            boolean locked = Fields.requiredBool(request.jsonObject(), "locked");
            moderation.setLocked(admin, request.pathParam("userId"), locked);
            return MatrixResponse.ok(Map.of("locked", locked));
        });
        router.add("GET", PREFIX + "/suspend/{userId}", request -> MatrixResponse.ok(
                Map.of("suspended", moderation.suspended(authenticator.require(request), request.pathParam("userId")))));
        router.add("PUT", PREFIX + "/suspend/{userId}", request -> {
            Requester admin = authenticator.require(request);
            boolean suspended = Fields.requiredBool(request.jsonObject(), "suspended");
            moderation.setSuspended(admin, request.pathParam("userId"), suspended);
            return MatrixResponse.ok(Map.of("suspended", suspended));
        });
    }
}
