package dev.myelin.server.user;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.RateLimiter;
import dev.myelin.server.storage.AccountStore;
import dev.myelin.server.storage.AccountStore.Account;
import dev.myelin.server.storage.RegistrationTokenStore;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.ServerName;
import dev.myelin.spec.id.UserId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Accounts: registration, password and token login, password changes, deactivation. Passwords are checked and
 * hashed here; tokens come from {@link SessionService}.
 */
public final class AccountService {
    private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);

    /** Limits applied to account operations; keys are client IPs or user ids. */
    public record Limits(RateLimiter loginPerIp, RateLimiter loginPerAccount, RateLimiter registrationPerIp,
                         RateLimiter passwordChangePerUser) {
    }

    /** What a completed login or registration hands back. */
    public record LoggedIn(String userId, String deviceId, Optional<SessionService.Issued> tokens) {
    }

    private final ServerName serverName;
    private final AccountStore accounts;
    private final RegistrationTokenStore registrationTokens;
    private final SessionService sessions;
    private final PasswordHasher hasher;
    private final Limits limits;
    private final Clock clock;
    private final int passwordMinLength;
    private final long loginTokenLifetimeMs;
    private final List<AccountListener> listeners = new CopyOnWriteArrayList<>();
    private final String dummyHash;

    public AccountService(ServerName serverName, AccountStore accounts, RegistrationTokenStore registrationTokens,
                          SessionService sessions, PasswordHasher hasher, Limits limits, Clock clock,
                          int passwordMinLength, long loginTokenLifetimeMs) {
        this.serverName = serverName;
        this.accounts = accounts;
        this.registrationTokens = registrationTokens;
        this.sessions = sessions;
        this.hasher = hasher;
        this.limits = limits;
        this.clock = clock;
        this.passwordMinLength = passwordMinLength;
        this.loginTokenLifetimeMs = loginTokenLifetimeMs;
        this.dummyHash = hasher.hash(Tokens.randomAlphanumeric(16));
    }

    public void addListener(AccountListener listener) {
        listeners.add(listener);
    }

    public ServerName serverName() {
        return serverName;
    }

    public Optional<Account> find(String userId) {
        return accounts.find(userId);
    }

    // ---- user names ----

    /**
     * The user id a registration asks for: a valid localpart (a-z 0-9 . _ = - / +), not all digits (reserved for
     * guests), not taken. Throws M_INVALID_USERNAME or M_USER_IN_USE.
     */
    public String checkAvailable(String localpart) {
        if (localpart.isEmpty() || !localpart.chars().allMatch(c -> UserId.isNewLocalpartChar((char) c))) {
            throw new MatrixException(400, ErrorCode.M_INVALID_USERNAME,
                    "User names may only contain a-z, 0-9, '.', '_', '=', '-', '/' and '+'");
        }
        if (localpart.chars().allMatch(Character::isDigit)) {
            throw new MatrixException(400, ErrorCode.M_INVALID_USERNAME, "Numeric user names are reserved for guests");
        }
        String userId;
        try {
            userId = new UserId(localpart, serverName).toString();
        } catch (InvalidIdentifierException e) {
            throw new MatrixException(400, ErrorCode.M_INVALID_USERNAME, "User name is too long");
        }
        if (accounts.find(userId).isPresent()) {
            throw new MatrixException(400, ErrorCode.M_USER_IN_USE, "User name is already taken");
        }
        return userId;
    }

    public void checkPasswordPolicy(String password) {
        if (password.codePointCount(0, password.length()) < passwordMinLength) {
            throw new MatrixException(400, ErrorCode.M_WEAK_PASSWORD,
                    "Password must be at least " + passwordMinLength + " characters long");
        }
    }

    /** A fresh user name for a registration that gave none. */
    public String generateLocalpart() {
        return "user-" + Tokens.randomAlphanumeric(10).toLowerCase();
    }

    // ---- registration ----

    /** Options of a registration that may log in the new account. */
    public record SessionRequest(boolean inhibitLogin, Optional<String> deviceId, Optional<String> displayName,
                                 boolean refreshable) {
    }

    /**
     * Creates an account (with a device and tokens unless {@code inhibitLogin}).
     *
     * @param registrationToken a token whose pending use becomes completed in the same transaction
     */
    public LoggedIn register(String userId, Optional<String> password, boolean guest, boolean admin,
                             SessionRequest request, Optional<String> registrationToken) {
        String hash = password.map(hasher::hash).orElse(null);
        var account = new Account(userId, Optional.ofNullable(hash), guest, admin, false, clock.millis());
        if (request.inhibitLogin()) {
            if (!accounts.create(account, Optional.empty(), registrationToken)) {
                throw new MatrixException(400, ErrorCode.M_USER_IN_USE, "User name is already taken");
            }
            LOG.info("Registered {}{}", userId, guest ? " (guest)" : "");
            return new LoggedIn(userId, null, Optional.empty());
        }
        String deviceId = request.deviceId().orElseGet(Tokens::newDeviceId);
        var issued = sessions.issue(userId, deviceId, request.displayName(), request.refreshable());
        if (!accounts.create(account, Optional.of(issued.session()), registrationToken)) {
            throw new MatrixException(400, ErrorCode.M_USER_IN_USE, "User name is already taken");
        }
        LOG.info("Registered {}{}", userId, guest ? " (guest)" : "");
        return new LoggedIn(userId, deviceId, Optional.of(issued));
    }

    /** Upgrades a guest to a full account with a password (spec: guest access); M_FORBIDDEN if not a guest. */
    public LoggedIn upgradeGuest(String userId, String password, SessionRequest request,
                                 Optional<String> registrationToken) {
        String hash = hasher.hash(password);
        Optional<SessionService.Issued> issued = Optional.empty();
        String deviceId = null;
        if (!request.inhibitLogin()) {
            deviceId = request.deviceId().orElseGet(Tokens::newDeviceId);
            issued = Optional.of(sessions.issue(userId, deviceId, request.displayName(), request.refreshable()));
        }
        if (!accounts.upgradeGuest(userId, hash, issued.map(SessionService.Issued::session), registrationToken)) {
            throw MatrixException.forbidden("Only guest accounts can be upgraded");
        }
        sessions.invalidateUser(userId);
        LOG.info("Upgraded guest {} to a full account", userId);
        return new LoggedIn(userId, deviceId, issued);
    }

    /** Registers a guest with a numeric user name. */
    public LoggedIn registerGuest(SessionRequest request) {
        for (int attempt = 0; attempt < 10; attempt++) {
            String userId = new UserId(Tokens.randomDigits(12), serverName).toString();
            if (accounts.find(userId).isEmpty()) {
                try {
                    return register(userId, Optional.empty(), true, false, request, Optional.empty());
                } catch (MatrixException taken) {
                    if (taken.errcode() != ErrorCode.M_USER_IN_USE) {
                        throw taken;
                    }
                }
            }
        }
        throw new MatrixException(500, ErrorCode.M_UNKNOWN, "Could not allocate a guest user id");
    }

    /**
     * Creates an account for the operator (CLI, shared-secret registration): the name may be a localpart or a full
     * user id of this server.
     */
    public String createByOperator(String user, String password, boolean admin) {
        return createByOperator(user, password, admin, Optional.empty()).userId();
    }

    /** Like {@link #createByOperator(String, String, boolean)}, logging the account in within the same transaction. */
    public LoggedIn createByOperator(String user, String password, boolean admin, Optional<SessionRequest> login) {
        String localpart = localpartOf(user).orElseThrow(() ->
                new MatrixException(400, ErrorCode.M_INVALID_USERNAME, "User " + user + " is not on " + serverName));
        String userId = checkAvailable(localpart);
        checkPasswordPolicy(password);
        return register(userId, Optional.of(password), false, admin,
                login.orElse(new SessionRequest(true, Optional.empty(), Optional.empty(), false)), Optional.empty());
    }

    public boolean setAdmin(String userId, boolean admin) {
        return accounts.setAdmin(userId, admin);
    }

    /** Reserves one use of a registration token for a UIA stage; M_UNAUTHORIZED when it is not valid. */
    public void reserveRegistrationToken(String token) {
        if (!isWellFormedRegistrationToken(token) || !registrationTokens.reservePending(token, clock.millis())) {
            throw new MatrixException(401, ErrorCode.M_UNAUTHORIZED, "Invalid registration token");
        }
    }

    /** Registration tokens are 1 to 64 characters of the opaque identifier grammar (spec: appendices). */
    public static boolean isWellFormedRegistrationToken(String token) {
        return token.length() >= 1 && token.length() <= 64
                && token.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '~' || c == '-');
    }

    public void releaseRegistrationToken(String token) {
        registrationTokens.releasePending(token);
    }

    // ---- login ----

    /** The localpart of a user given as localpart or full id on this server; empty for another server's user. */
    public Optional<String> localpartOf(String user) {
        if (user.startsWith("@")) {
            try {
                UserId id = UserId.parse(user);
                return id.server().equals(serverName) ? Optional.of(id.localpart()) : Optional.empty();
            } catch (InvalidIdentifierException e) {
                return Optional.empty();
            }
        }
        return Optional.of(user);
    }

    /**
     * Checks a user's password (login and UIA): the user is a localpart or full id. Unknown users cost a hash too, so
     * timing does not tell which names exist. Throws 403 M_FORBIDDEN on mismatch, M_USER_DEACTIVATED for a
     * deactivated account with the right password.
     */
    public String checkPassword(String user, String password, String clientIp) {
        limits.loginPerIp().check(clientIp);
        Optional<Account> account = localpartOf(user).flatMap(localpart -> {
            try {
                String id = new UserId(localpart, serverName).toString();
                Optional<Account> found = accounts.find(id);
                if (found.isEmpty() && !localpart.equals(localpart.toLowerCase())) {
                    found = accounts.find(new UserId(localpart.toLowerCase(), serverName).toString());
                }
                return found;
            } catch (InvalidIdentifierException e) {
                return Optional.empty();
            }
        });
        if (account.isPresent()) {
            limits.loginPerAccount().check(account.get().userId());
        }
        String stored = account.flatMap(Account::passwordHash).orElse(dummyHash);
        boolean matches = hasher.verify(password, stored) && account.flatMap(Account::passwordHash).isPresent();
        if (!matches) {
            throw MatrixException.forbidden("Invalid username or password");
        }
        if (account.get().deactivated()) {
            throw new MatrixException(403, ErrorCode.M_USER_DEACTIVATED, "This account has been deactivated");
        }
        if (hasher.needsRehash(stored)) {
            // bcrypt imported from Synapse, or older Argon2id parameters: upgrade now that the password is known.
            accounts.changePassword(account.get().userId(), hasher.hash(password), Optional.empty());
        }
        return account.get().userId();
    }

    /** The user named by a login or UIA body: {@code identifier} of type m.id.user, or the deprecated {@code user}. */
    public static String userFromIdentifier(JsonNode body) {
        JsonNode identifier = body.get("identifier");
        if (identifier != null && !identifier.isNull()) {
            if (!identifier.isObject()) {
                throw MatrixException.badJson("'identifier' must be an object");
            }
            String type = identifier.path("type").asText("");
            if (!"m.id.user".equals(type)) {
                throw new MatrixException(400, ErrorCode.M_UNKNOWN, "Unsupported identifier type '" + type + "'");
            }
            JsonNode user = identifier.get("user");
            if (user == null || !user.isTextual()) {
                throw MatrixException.missingParam("'identifier.user' must be a string");
            }
            return user.asText();
        }
        JsonNode user = body.get("user");
        if (user != null && user.isTextual()) {
            return user.asText();
        }
        throw MatrixException.missingParam("Missing 'identifier'");
    }

    /** Starts a session for a user whose credentials were checked; a locked account gets none (spec v1.12). */
    public LoggedIn login(String userId, SessionRequest request) {
        if (accounts.find(userId).map(Account::locked).orElse(false)) {
            throw new MatrixException(401, ErrorCode.M_USER_LOCKED, "This account has been locked",
                    Map.of("soft_logout", true));
        }
        String deviceId = request.deviceId().orElseGet(Tokens::newDeviceId);
        var issued = sessions.startSession(userId, deviceId, request.displayName(), request.refreshable());
        return new LoggedIn(userId, deviceId, Optional.of(issued));
    }

    /** Takes a single-use m.login.token; 403 M_FORBIDDEN when unknown, used or expired. */
    public String consumeLoginToken(String token, String clientIp) {
        limits.loginPerIp().check(clientIp);
        String userId = accounts.consumeLoginToken(Tokens.hash(token), clock.millis())
                .orElseThrow(() -> MatrixException.forbidden("Invalid or expired login token"));
        Account account = accounts.find(userId).orElseThrow(() -> MatrixException.forbidden("Invalid login token"));
        if (account.deactivated()) {
            throw new MatrixException(403, ErrorCode.M_USER_DEACTIVATED, "This account has been deactivated");
        }
        return userId;
    }

    /** Creates a short-lived single-use login token (spec: POST /login/get_token). */
    public Map<String, Object> createLoginToken(String userId) {
        String token = Tokens.newToken("myl_");
        accounts.createLoginToken(Tokens.hash(token), userId, clock.millis() + loginTokenLifetimeMs);
        return Map.of("login_token", token, "expires_in_ms", loginTokenLifetimeMs);
    }

    public long loginTokenLifetimeMs() {
        return loginTokenLifetimeMs;
    }

    // ---- account management ----

    /**
     * Sets a new password; with {@code logoutDevices}, every other device of the user (all when {@code keepDevice} is
     * empty) is logged out.
     */
    public void changePassword(String userId, String newPassword, boolean logoutDevices, Optional<String> keepDevice) {
        limits.passwordChangePerUser().check(userId);
        checkPasswordPolicy(newPassword);
        String hash = hasher.hash(newPassword);
        List<String> removed = accounts.changePassword(userId, hash,
                logoutDevices ? Optional.of(keepDevice.orElse("")) : Optional.empty());
        if (logoutDevices) {
            sessions.invalidateUser(userId);
        }
        LOG.info("Password changed for {} ({} other devices logged out)", userId, removed.size());
    }

    public void deactivate(String userId, boolean erase) {
        accounts.deactivate(userId);
        sessions.invalidateUser(userId);
        LOG.info("Deactivated {}{}", userId, erase ? " (erase requested)" : "");
        for (AccountListener listener : listeners) {
            try {
                listener.onDeactivated(userId, erase);
            } catch (RuntimeException e) {
                LOG.error("Deactivation listener failed for {}", userId, e);
            }
        }
    }
}
