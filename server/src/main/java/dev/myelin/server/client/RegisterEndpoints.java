package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.appservice.AppServiceLogins;
import dev.myelin.server.appservice.AppServiceRegistration;
import dev.myelin.server.config.MyelinConfig.RegistrationMode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.RateLimiter;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.RegistrationTokenStore;
import dev.myelin.server.user.AccountService;
import dev.myelin.server.user.AccountService.SessionRequest;
import dev.myelin.server.user.SessionService;
import dev.myelin.server.user.UiaService;
import dev.myelin.server.http.Requester;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registration (spec: client-server-api "Account registration", registration.yaml, registration_tokens.yaml):
 * POST /register for users (UIA: m.login.dummy when open, m.login.registration_token when token-only) and guests,
 * GET /register/available, the registration token validity check, and the email/msisdn requestToken endpoints, which
 * this server (without an identity server or mail) refuses.
 */
public final class RegisterEndpoints {
    private static final String TOKEN_STAGE = "m.login.registration_token";
    private static final String DUMMY_STAGE = "m.login.dummy";

    private final SessionService sessions;
    private final RegistrationMode mode;
    private final boolean allowGuests;
    private final AccountService accounts;
    private final UiaService uia;
    private final RegistrationTokenStore registrationTokens;
    private final RateLimiter registrationPerIp;
    private final Clock clock;
    private final AppServiceLogins appServiceLogins;

    public RegisterEndpoints(RegistrationMode mode, boolean allowGuests, AccountService accounts, SessionService sessions,
                             UiaService uia, RegistrationTokenStore registrationTokens, RateLimiter registrationPerIp,
                             Clock clock, AppServiceLogins appServiceLogins) {
        this.appServiceLogins = appServiceLogins;
        this.sessions = sessions;
        this.mode = mode;
        this.allowGuests = allowGuests;
        this.accounts = accounts;
        this.uia = uia;
        this.registrationTokens = registrationTokens;
        this.registrationPerIp = registrationPerIp;
        this.clock = clock;
    }

    public void register(Router router) {
        router.add("POST", Router.CLIENT_V3_AND_R0, "/register", this::registerAccount);
        router.add("GET", Router.CLIENT_V3_AND_R0, "/register/available", this::available);
        router.add("GET", "/_matrix/client/v1/register/m.login.registration_token/validity", this::tokenValidity);
        for (String medium : List.of("email", "msisdn")) {
            router.add("POST", Router.CLIENT_V3_AND_R0, "/register/" + medium + "/requestToken",
                    AccountEndpoints::threepidUnsupported);
        }
    }

    private List<List<String>> flows() {
        return switch (mode) {
            case OPEN -> List.of(List.of(DUMMY_STAGE));
            case TOKEN -> List.of(List.of(TOKEN_STAGE));
            case CLOSED -> List.of();
        };
    }

    private MatrixResponse registerAccount(MatrixRequest request) throws Exception {
        ObjectNode body = request.jsonObject();
        String kind = request.query("kind").orElse("user");
        var session = new SessionRequest(Fields.bool(body, "inhibit_login", false),
                Fields.string(body, "device_id").map(Fields::deviceId), Fields.string(body, "initial_device_display_name"),
                Fields.bool(body, "refresh_token", false));
        if (AppServiceLogins.TYPE.equals(body.path("type").asText(null))) {
            return registerForAppService(request, body, session);
        }
        switch (kind) {
            case "guest" -> {
                if (!allowGuests) {
                    throw MatrixException.forbidden("Guest access is disabled");
                }
                registrationPerIp.check(request.remoteAddress());
                return render(accounts.registerGuest(new SessionRequest(false, Optional.empty(),
                        session.displayName(), session.refreshable())));
            }
            case "user" -> {
            }
            default -> throw MatrixException.invalidParam("Unknown registration kind '" + kind + "'");
        }
        if (mode == RegistrationMode.CLOSED) {
            throw MatrixException.forbidden("Registration is disabled");
        }
        Optional<String> username = Fields.string(body, "username");
        Optional<String> password = Fields.string(body, "password");
        Optional<String> guestToken = Fields.string(body, "guest_access_token");
        String userId;
        if (guestToken.isPresent()) {
            // A guest upgrading: the username must be the guest's own localpart.
            Requester guest = sessions.resolve(guestToken.get())
                    .orElseThrow(() -> new MatrixException(401, ErrorCode.M_UNKNOWN_TOKEN, "Unknown guest access token"));
            if (!guest.guest()) {
                throw MatrixException.forbidden("'guest_access_token' is not a guest's");
            }
            userId = guest.userId();
            String localpart = userId.substring(1, userId.indexOf(':'));
            if (username.isEmpty() || !username.get().equals(localpart)) {
                throw new MatrixException(400, ErrorCode.M_INVALID_USERNAME,
                        "A guest upgrading must give its own localpart as 'username'");
            }
        } else {
            userId = accounts.checkAvailable(username.orElseGet(accounts::generateLocalpart));
            appServiceLogins.appServices().checkUserNotClaimed(userId, Optional.empty());
        }
        password.ifPresent(accounts::checkPasswordPolicy);
        if (body.hasNonNull("auth")) {
            registrationPerIp.check(request.remoteAddress());
        }
        UiaService.Session completed = uia.authenticate(body, "register", flows(), (type, auth, s) -> {
            if (TOKEN_STAGE.equals(type)) {
                if (!auth.path("token").isTextual()) {
                    throw MatrixException.missingParam("Missing 'auth.token'");
                }
                String token = auth.get("token").asText();
                accounts.reserveRegistrationToken(token);
                s.data().put("registration_token", token);
            }
        });
        if (password.isEmpty()) {
            throw MatrixException.missingParam("Missing 'password'");
        }
        Optional<String> usedToken = Optional.ofNullable(completed.data().get("registration_token"));
        var result = guestToken.isPresent()
                ? accounts.upgradeGuest(userId, password.get(), session, usedToken)
                : accounts.register(userId, password, false, false, session, usedToken);
        uia.finish(completed);
        return render(result);
    }

    /**
     * An application service creating a user in its namespace, without password or UIA (spec:
     * application-service-api "Server admin style permissions").
     */
    private MatrixResponse registerForAppService(MatrixRequest request, ObjectNode body, SessionRequest session) {
        AppServiceRegistration registration = appServiceLogins.requireAppService(request);
        String userId = appServiceLogins.userInNamespace(registration, Fields.requiredString(body, "username"));
        String suffix = ":" + accounts.serverName();
        if (!userId.endsWith(suffix)) {
            throw new MatrixException(400, ErrorCode.M_INVALID_USERNAME, "Users can only be registered on this server");
        }
        // checkAvailable validates the localpart (a ':' in it is refused there).
        accounts.checkAvailable(userId.substring(1, userId.length() - suffix.length()));
        appServiceLogins.appServices().checkUserNotClaimed(userId, Optional.of(registration));
        return render(accounts.register(userId, Optional.empty(), false, false, session, Optional.empty()));
    }

    private MatrixResponse render(AccountService.LoggedIn result) {
        var out = new LinkedHashMap<String, Object>();
        out.put("user_id", result.userId());
        out.put("home_server", accounts.serverName().toString());
        result.tokens().ifPresent(tokens -> {
            out.put("access_token", tokens.accessToken());
            out.put("device_id", result.deviceId());
            tokens.refreshToken().ifPresent(refresh -> out.put("refresh_token", refresh));
            if (tokens.expiresInMs() > 0) {
                out.put("expires_in_ms", tokens.expiresInMs());
            }
        });
        return MatrixResponse.ok(out);
    }

    private MatrixResponse available(MatrixRequest request) {
        String username = request.query("username").orElseThrow(() -> MatrixException.missingParam("Missing 'username'"));
        if (mode == RegistrationMode.CLOSED) {
            throw MatrixException.forbidden("Registration is disabled");
        }
        appServiceLogins.appServices().checkUserNotClaimed(accounts.checkAvailable(username), Optional.empty());
        return MatrixResponse.ok(Map.of("available", true));
    }

    private MatrixResponse tokenValidity(MatrixRequest request) {
        String token = request.query("token").orElseThrow(() -> MatrixException.missingParam("Missing 'token'"));
        if (mode != RegistrationMode.TOKEN) {
            throw new MatrixException(403, ErrorCode.M_FORBIDDEN, "Registration tokens are not in use here");
        }
        registrationPerIp.check(request.remoteAddress());
        boolean valid = AccountService.isWellFormedRegistrationToken(token) && registrationTokens.find(token).map(t -> t.valid(clock.millis())).orElse(false);
        return MatrixResponse.ok(Map.of("valid", valid));
    }
}
