package dev.myelin.spec.crypto;

import java.util.Optional;
import java.util.OptionalLong;

/** Finds a server's verify key among those already fetched; fetching is the caller's job. */
@FunctionalInterface
public interface VerifyKeyLookup {
    /**
     * @param serverName the server that signed
     * @param keyId      the key id it signed with
     * @param validAt    for room versions that enforce key validity (v5+), the event's
     *                   origin_server_ts: only a key whose valid_until_ts (capped at 7 days ahead
     *                   when fetched) is at least this counts. Empty when validity is not enforced.
     */
    Optional<VerifyKey> find(String serverName, String keyId, OptionalLong validAt);
}
