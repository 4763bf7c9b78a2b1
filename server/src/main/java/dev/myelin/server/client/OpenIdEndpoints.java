package dev.myelin.server.client;

import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.openid.OpenIdService;

import java.util.Map;

/**
 * OpenID: POST /user/{userId}/openid/request_token (spec: openid.yaml) and the federation userinfo lookup a third
 * party makes with the token (server-server-api "OpenID", GET /_matrix/federation/v1/openid/userinfo), which needs
 * no request signature.
 */
public final class OpenIdEndpoints {
    private final Authenticator authenticator;
    private final OpenIdService openId;
    private final String serverName;

    public OpenIdEndpoints(Authenticator authenticator, OpenIdService openId, String serverName) {
        this.authenticator = authenticator;
        this.openId = openId;
        this.serverName = serverName;
    }

    /** The client endpoint. */
    public void register(Router router) {
        router.add("POST", Router.CLIENT_V3_AND_R0, "/user/{userId}/openid/request_token", request -> {
            Requester requester = authenticator.require(request);
            if (!requester.userId().equals(ProfileEndpoints.userId(request))) {
                throw MatrixException.forbidden("You may only request tokens for yourself");
            }
            request.jsonObject();
            return MatrixResponse.ok(Map.of("access_token", openId.issue(requester.userId()), "token_type", "Bearer",
                    "matrix_server_name", serverName, "expires_in", OpenIdService.LIFETIME_SECONDS));
        });
    }

    /** The federation endpoint. */
    public void registerFederation(Router router) {
        router.add("GET", "/_matrix/federation/v1/openid/userinfo", request -> {
            String token = request.query("access_token")
                    .orElseThrow(() -> new MatrixException(401, ErrorCode.M_MISSING_TOKEN, "Missing access_token"));
            String userId = openId.userOf(token)
                    .orElseThrow(() -> new MatrixException(401, ErrorCode.M_UNKNOWN_TOKEN, "Unknown access token"));
            return MatrixResponse.ok(Map.of("sub", userId));
        });
    }
}
