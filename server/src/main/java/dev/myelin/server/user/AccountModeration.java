package dev.myelin.server.user;

import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.Requester;
import dev.myelin.server.storage.AccountStore;
import dev.myelin.server.storage.AccountStore.Account;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.ServerName;
import dev.myelin.spec.id.UserId;

/**
 * Locking and suspending local accounts by server admins (spec: client-server-api "Account moderation",
 * {@code /_matrix/client/v1/admin/lock|suspend/{userId}}). The admin check comes before any lookup, so non-admins
 * cannot tell which accounts exist. A change takes effect at the account's next request: cached token lookups of
 * the user are dropped.
 */
public final class AccountModeration {
    private final ServerName serverName;
    private final AccountStore accounts;
    private final SessionService sessions;

    public AccountModeration(ServerName serverName, AccountStore accounts, SessionService sessions) {
        this.serverName = serverName;
        this.accounts = accounts;
        this.sessions = sessions;
    }

    /** Whether the requester may lock and suspend accounts (the {@code m.account_moderation} capability). */
    public boolean mayModerate(Requester requester) {
        return accounts.find(requester.userId()).map(Account::admin).orElse(false);
    }

    public boolean locked(Requester admin, String userId) {
        return target(admin, userId).locked();
    }

    public boolean suspended(Requester admin, String userId) {
        return target(admin, userId).suspended();
    }

    public void setLocked(Requester admin, String userId, boolean locked) {
        target(admin, userId);
        accounts.setLocked(userId, locked);
        sessions.invalidateUser(userId);
    }

    public void setSuspended(Requester admin, String userId, boolean suspended) {
        target(admin, userId);
        accounts.setSuspended(userId, suspended);
        sessions.invalidateUser(userId);
    }

    /** The account an admin acts on: 403 for non-admins or another admin, 400 for other servers, 404 unknown. */
    private Account target(Requester admin, String userId) {
        if (!mayModerate(admin)) {
            throw MatrixException.forbidden("Requesting user is not a server administrator.");
        }
        UserId id;
        try {
            id = UserId.parse(userId);
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Not a user id: " + userId);
        }
        if (!id.server().equals(serverName)) {
            throw new MatrixException(400, ErrorCode.M_INVALID_PARAM, "User does not belong to the local server.");
        }
        Account account = accounts.find(userId).filter(found -> !found.deactivated())
                .orElseThrow(() -> MatrixException.notFound("User not found."));
        if (account.admin() && !account.userId().equals(admin.userId())) {
            throw MatrixException.forbidden("Server administrators cannot be locked or suspended by other admins.");
        }
        return account;
    }
}
