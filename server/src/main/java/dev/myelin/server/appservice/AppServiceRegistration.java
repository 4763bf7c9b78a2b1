package dev.myelin.server.appservice;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * An application service as its registration file describes it (spec: application-service-api "Registration").
 *
 * @param url              where the homeserver pushes transactions and queries; empty when the AS wants no traffic
 * @param senderUserId     the full user id of {@code sender_localpart} on this server
 * @param rateLimited      whether requests of its masqueraded users are rate-limited
 * @param receiveEphemeral whether it receives typing, receipts and presence in transactions (MSC2409)
 */
public record AppServiceRegistration(String id, Optional<URI> url, String asToken, String hsToken,
                                     String senderUserId, List<Namespace> users, List<Namespace> aliases,
                                     List<Namespace> rooms, boolean rateLimited, List<String> protocols,
                                     boolean receiveEphemeral) {

    /**
     * Whether the AS may act as (and is interested in) this user: its sender, or a user in its users namespace. Only
     * local users count (spec: "For the users namespace, application services can only register interest in local
     * users").
     */
    public boolean coversUser(String userId) {
        return userId.equals(senderUserId)
                || (userId.endsWith(senderUserId.substring(senderUserId.indexOf(':'))) && Namespace.anyMatches(users, userId));
    }

    public boolean coversAlias(String alias) {
        return Namespace.anyMatches(aliases, alias);
    }

    public boolean coversRoom(String roomId) {
        return Namespace.anyMatches(rooms, roomId);
    }
}
