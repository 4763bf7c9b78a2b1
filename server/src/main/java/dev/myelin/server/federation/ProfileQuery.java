package dev.myelin.server.federation;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.user.AccountService;

/** A local user's public profile for federation queries; throws 404 M_NOT_FOUND for users we do not have. */
@FunctionalInterface
public interface ProfileQuery {
    ObjectNode profile(String userId);

    /**
     * Profiles from accounts alone, while no profile store is wired: an active account has an empty profile (no
     * displayname or avatar_url set), anyone else is not found. Replace with the profile service once it exists.
     */
    static ProfileQuery accountsOnly(AccountService accounts) {
        return userId -> accounts.find(userId).filter(account -> !account.deactivated())
                .map(account -> JsonNodeFactory.instance.objectNode())
                .orElseThrow(() -> MatrixException.notFound("Profile not found"));
    }
}
