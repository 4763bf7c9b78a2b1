package dev.myelin.server.federation.discovery;

import dev.myelin.server.federation.transport.FederationException;

/** Finds where a server name is reached. */
@FunctionalInterface
public interface ServerResolver {
    Destination resolve(String serverName) throws FederationException;
}
