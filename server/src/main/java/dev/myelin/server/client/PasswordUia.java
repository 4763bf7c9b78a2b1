package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.user.AccountService;
import dev.myelin.server.user.UiaService;

import java.util.List;
import java.util.Optional;

/**
 * User-interactive authentication by password for operations on one's own account (password change, device
 * deletion, deactivation, login token): the single flow {@code [m.login.password]}.
 */
public final class PasswordUia {
    static final List<List<String>> FLOWS = List.of(List.of("m.login.password"));

    private final UiaService uia;
    private final AccountService accounts;

    public PasswordUia(UiaService uia, AccountService accounts) {
        this.uia = uia;
        this.accounts = accounts;
    }

    /**
     * Completes UIA for {@code operation}. With a known user (an access token was given), the password must be theirs;
     * without one, the identifier names the user. Returns the authenticated user id.
     */
    String authenticate(ObjectNode body, String operation, Optional<String> userId, String clientIp) {
        String boundTo = operation + ":" + userId.orElse("");
        UiaService.Session session = uia.authenticate(body, boundTo, FLOWS, (type, auth, s) -> {
            String password = auth.path("password").isTextual() ? auth.get("password").asText() : null;
            if (password == null) {
                throw MatrixException.missingParam("Missing 'auth.password'");
            }
            String named = AccountService.userFromIdentifier(auth);
            String checked = accounts.checkPassword(named, password, clientIp);
            if (userId.isPresent() && !userId.get().equals(checked)) {
                throw MatrixException.forbidden("The password given is not this user's");
            }
            s.data().put("user_id", checked);
        });
        uia.finish(session);
        return session.data().get("user_id");
    }
}
