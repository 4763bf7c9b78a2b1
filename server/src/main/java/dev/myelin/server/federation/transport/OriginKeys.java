package dev.myelin.server.federation.transport;

import dev.myelin.spec.crypto.VerifyKey;

import java.util.Optional;

/** The keys a request may be signed with: a server's key valid now, fetched when not known yet. */
@FunctionalInterface
public interface OriginKeys {
    Optional<VerifyKey> currentKey(String serverName, String keyId);
}
