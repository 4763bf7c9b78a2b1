package dev.myelin.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.client.Fields;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.RateLimiter;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.RegistrationTokenStore;
import dev.myelin.server.storage.RegistrationTokenStore.RegistrationToken;
import dev.myelin.server.user.AccountService;
import dev.myelin.server.user.AccountService.SessionRequest;
import dev.myelin.server.user.SharedSecretRegistration;
import dev.myelin.server.user.Tokens;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The parts of Synapse's admin API that tools rely on for accounts: shared-secret registration
 * ({@code /_synapse/admin/v1/register}) and registration token management
 * ({@code /_synapse/admin/v1/registration_tokens}, server admins only). Same shapes and errors as Synapse.
 */
public final class SynapseAdminEndpoints {
    private static final String PREFIX = "/_synapse/admin/v1";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~-]{1,64}");

    private final Authenticator authenticator;
    private final AccountService accounts;
    private final RegistrationTokenStore tokens;
    private final Optional<SharedSecretRegistration> sharedSecret;
    private final RateLimiter registrationPerIp;
    private final Clock clock;

    public SynapseAdminEndpoints(Authenticator authenticator, AccountService accounts, RegistrationTokenStore tokens,
                                 Optional<SharedSecretRegistration> sharedSecret, RateLimiter registrationPerIp,
                                 Clock clock) {
        this.authenticator = authenticator;
        this.accounts = accounts;
        this.tokens = tokens;
        this.sharedSecret = sharedSecret;
        this.registrationPerIp = registrationPerIp;
        this.clock = clock;
    }

    public void register(Router router) {
        router.add("GET", PREFIX + "/register", this::nonce);
        router.add("POST", PREFIX + "/register", this::registerWithSharedSecret);
        router.add("GET", PREFIX + "/registration_tokens", this::list);
        router.add("POST", PREFIX + "/registration_tokens/new", this::create);
        router.add("GET", PREFIX + "/registration_tokens/{token}", this::get);
        router.add("PUT", PREFIX + "/registration_tokens/{token}", this::update);
        router.add("DELETE", PREFIX + "/registration_tokens/{token}", this::delete);
    }

    private SharedSecretRegistration sharedSecret() {
        return sharedSecret.orElseThrow(() -> new MatrixException(400, ErrorCode.M_UNKNOWN,
                "Shared secret registration is not enabled"));
    }

    private MatrixResponse nonce(MatrixRequest request) {
        return MatrixResponse.ok(Map.of("nonce", sharedSecret().newNonce()));
    }

    private MatrixResponse registerWithSharedSecret(MatrixRequest request) throws Exception {
        var registration = sharedSecret();
        registrationPerIp.check(request.remoteAddress());
        ObjectNode body = request.jsonObject();
        String nonce = Fields.requiredString(body, "nonce");
        String username = Fields.requiredString(body, "username");
        String password = Fields.requiredString(body, "password");
        boolean admin = Fields.bool(body, "admin", false);
        String mac = Fields.requiredString(body, "mac");
        Optional<String> displayName = Fields.string(body, "displayname");
        if (!registration.consumeNonce(nonce)) {
            throw new MatrixException(400, ErrorCode.M_UNKNOWN, "unrecognised nonce");
        }
        if (!registration.verify(nonce, username, password, admin, mac)) {
            throw MatrixException.forbidden("HMAC incorrect");
        }
        var session = accounts.createByOperator(username, password, admin,
                Optional.of(new SessionRequest(false, Optional.empty(), displayName, false)));
        String userId = session.userId();
        var out = new LinkedHashMap<String, Object>();
        out.put("access_token", session.tokens().orElseThrow().accessToken());
        out.put("user_id", userId);
        out.put("home_server", accounts.serverName().toString());
        out.put("device_id", session.deviceId());
        return MatrixResponse.ok(out);
    }

    private void requireAdmin(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        boolean admin = accounts.find(requester.userId()).map(a -> a.admin() && !a.deactivated()).orElse(false);
        if (!admin) {
            throw MatrixException.forbidden("You are not a server admin");
        }
    }

    private static Map<String, Object> render(RegistrationToken token) {
        var out = new LinkedHashMap<String, Object>();
        out.put("token", token.token());
        out.put("uses_allowed", token.usesAllowed().isPresent() ? token.usesAllowed().getAsInt() : null);
        out.put("pending", token.pending());
        out.put("completed", token.completed());
        out.put("expiry_time", token.expiryTime().isPresent() ? token.expiryTime().getAsLong() : null);
        return out;
    }

    private MatrixResponse list(MatrixRequest request) {
        requireAdmin(request);
        Optional<Boolean> valid = request.query("valid").map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam("'valid' must be true or false");
        });
        long now = clock.millis();
        return MatrixResponse.ok(Map.of("registration_tokens", tokens.list().stream()
                .filter(t -> valid.isEmpty() || t.valid(now) == valid.get())
                .map(SynapseAdminEndpoints::render).toList()));
    }

    private MatrixResponse get(MatrixRequest request) {
        requireAdmin(request);
        return tokens.find(pathToken(request)).map(t -> MatrixResponse.ok(render(t)))
                .orElseThrow(() -> MatrixException.notFound("No such registration token"));
    }

    private MatrixResponse create(MatrixRequest request) throws Exception {
        requireAdmin(request);
        ObjectNode body = request.jsonObject();
        OptionalInt usesAllowed = usesAllowed(body).orElse(OptionalInt.empty());
        OptionalLong expiry = expiryTime(body).orElse(OptionalLong.empty());
        Optional<String> given = Fields.string(body, "token");
        if (given.isPresent()) {
            if (!TOKEN.matcher(given.get()).matches()) {
                throw MatrixException.invalidParam("'token' must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '~', '-'");
            }
            if (!tokens.create(given.get(), usesAllowed, expiry)) {
                throw MatrixException.invalidParam("Token already exists");
            }
            return MatrixResponse.ok(render(tokens.find(given.get()).orElseThrow()));
        }
        int length = 16;
        JsonNode lengthNode = body.get("length");
        if (lengthNode != null && !lengthNode.isNull()) {
            if (!lengthNode.canConvertToInt() || !lengthNode.isIntegralNumber()
                    || lengthNode.asInt() < 1 || lengthNode.asInt() > 64) {
                throw MatrixException.invalidParam("'length' must be an integer from 1 to 64");
            }
            length = lengthNode.asInt();
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            String token = Tokens.randomAlphanumeric(length);
            if (tokens.create(token, usesAllowed, expiry)) {
                return MatrixResponse.ok(render(tokens.find(token).orElseThrow()));
            }
        }
        throw new MatrixException(500, ErrorCode.M_UNKNOWN, "Could not create a unique token; try a longer length");
    }

    private MatrixResponse update(MatrixRequest request) throws Exception {
        requireAdmin(request);
        ObjectNode body = request.jsonObject();
        return tokens.update(pathToken(request), usesAllowed(body), expiryTime(body))
                .map(t -> MatrixResponse.ok(render(t)))
                .orElseThrow(() -> MatrixException.notFound("No such registration token"));
    }

    /** The token in the path; one that could never have been created is simply not found. */
    private static String pathToken(MatrixRequest request) {
        String token = request.pathParam("token");
        if (!TOKEN.matcher(token).matches()) {
            throw MatrixException.notFound("No such registration token");
        }
        return token;
    }

    private MatrixResponse delete(MatrixRequest request) {
        requireAdmin(request);
        if (!tokens.delete(pathToken(request))) {
            throw MatrixException.notFound("No such registration token");
        }
        return MatrixResponse.empty();
    }

    /** Present when the body has the key: an empty inner value for null. */
    private static Optional<OptionalInt> usesAllowed(ObjectNode body) {
        if (!body.has("uses_allowed")) {
            return Optional.empty();
        }
        JsonNode value = body.get("uses_allowed");
        if (value.isNull()) {
            return Optional.of(OptionalInt.empty());
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 0) {
            throw MatrixException.invalidParam("'uses_allowed' must be a non-negative integer or null");
        }
        return Optional.of(OptionalInt.of(value.asInt()));
    }

    private Optional<OptionalLong> expiryTime(ObjectNode body) {
        if (!body.has("expiry_time")) {
            return Optional.empty();
        }
        JsonNode value = body.get("expiry_time");
        if (value.isNull()) {
            return Optional.of(OptionalLong.empty());
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw MatrixException.invalidParam("'expiry_time' must be a non-negative integer or null");
        }
        if (value.asLong() < clock.millis()) {
            throw MatrixException.invalidParam("'expiry_time' must not be in the past");
        }
        return Optional.of(OptionalLong.of(value.asLong()));
    }
}
