package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.user.AccountService;
import dev.myelin.server.user.AccountService.SessionRequest;
import dev.myelin.server.user.DeviceService;
import dev.myelin.server.user.SessionService;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Login and logout (spec: login.yaml, login_token.yaml, refresh.yaml, logout.yaml): GET/POST /login with
 * m.login.password and m.login.token, POST /login/get_token, POST /refresh, POST /logout and /logout/all.
 */
public final class LoginEndpoints {
    private static final Map<String, Object> FLOWS = Map.of("flows", List.of(
            Map.of("type", "m.login.password"),
            Map.of("type", "m.login.token", "get_login_token", true)));

    private final Authenticator authenticator;
    private final AccountService accounts;
    private final SessionService sessions;
    private final DeviceService devices;
    private final PasswordUia passwordUia;

    public LoginEndpoints(Authenticator authenticator, AccountService accounts, SessionService sessions,
                          DeviceService devices, PasswordUia passwordUia) {
        this.authenticator = authenticator;
        this.accounts = accounts;
        this.sessions = sessions;
        this.devices = devices;
        this.passwordUia = passwordUia;
    }

    public void register(Router router) {
        router.add("GET", Router.CLIENT_V3_AND_R0, "/login", request -> MatrixResponse.ok(FLOWS));
        router.add("POST", Router.CLIENT_V3_AND_R0, "/login", this::login);
        router.add("POST", "/_matrix/client/v1/login/get_token", this::getToken);
        router.add("POST", Router.CLIENT_V3_AND_R0, "/refresh", this::refresh);
        router.add("POST", Router.CLIENT_V3_AND_R0, "/logout", this::logout);
        router.add("POST", Router.CLIENT_V3_AND_R0, "/logout/all", this::logoutAll);
    }

    private MatrixResponse login(MatrixRequest request) throws Exception {
        ObjectNode body = request.jsonObject();
        String type = Fields.requiredString(body, "type");
        var session = new SessionRequest(false, Fields.string(body, "device_id").map(Fields::deviceId),
                Fields.string(body, "initial_device_display_name"), Fields.bool(body, "refresh_token", false));
        String userId = switch (type) {
            case "m.login.password" -> {
                String user = AccountService.userFromIdentifier(body);
                String password = Fields.requiredString(body, "password");
                yield accounts.checkPassword(user, password, request.remoteAddress());
            }
            case "m.login.token" -> accounts.consumeLoginToken(Fields.requiredString(body, "token"),
                    request.remoteAddress());
            default -> throw new MatrixException(400, ErrorCode.M_UNKNOWN, "Unknown login type '" + type + "'");
        };
        var result = accounts.login(userId, session);
        var tokens = result.tokens().orElseThrow();
        var out = new LinkedHashMap<String, Object>();
        out.put("user_id", userId);
        out.put("access_token", tokens.accessToken());
        out.put("device_id", result.deviceId());
        out.put("home_server", accounts.serverName().toString());
        tokens.refreshToken().ifPresent(refresh -> out.put("refresh_token", refresh));
        if (tokens.expiresInMs() > 0) {
            out.put("expires_in_ms", tokens.expiresInMs());
        }
        return MatrixResponse.ok(out);
    }

    private MatrixResponse getToken(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request);
        String userId = passwordUia.authenticate(request.jsonObject(), "get_token", Optional.of(requester.userId()),
                request.remoteAddress());
        return MatrixResponse.ok(accounts.createLoginToken(userId));
    }

    private MatrixResponse refresh(MatrixRequest request) throws Exception {
        var issued = sessions.refresh(Fields.requiredString(request.jsonObject(), "refresh_token"));
        var out = new LinkedHashMap<String, Object>();
        out.put("access_token", issued.accessToken());
        issued.refreshToken().ifPresent(refresh -> out.put("refresh_token", refresh));
        out.put("expires_in_ms", issued.expiresInMs());
        return MatrixResponse.ok(out);
    }

    /** Logging out works with an expired token too: a soft-logged-out client may choose to sign out instead. */
    private MatrixResponse logout(MatrixRequest request) {
        String token = request.accessToken().orElseThrow(() ->
                new MatrixException(401, ErrorCode.M_MISSING_TOKEN, "Missing access token"));
        Requester requester = sessions.resolveAllowingExpired(token).orElseThrow(() ->
                new MatrixException(401, ErrorCode.M_UNKNOWN_TOKEN, "Unrecognised access token"));
        devices.logout(requester.userId(), requester.deviceId());
        return MatrixResponse.empty();
    }

    private MatrixResponse logoutAll(MatrixRequest request) {
        Requester requester = authenticator.requireEvenIfLocked(request);
        devices.logoutAll(requester.userId());
        return MatrixResponse.empty();
    }
}
