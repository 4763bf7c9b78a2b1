package dev.myelin.server.federation.discovery;

import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.ServerName;

import java.util.Optional;

/**
 * Resolves server names as the spec says (server-server-api "Resolving server names"): an IP literal or an
 * explicit port is used as is; otherwise /.well-known/matrix/server may delegate to another name (itself an IP
 * literal, a name with a port, or a name looked up with SRV), and without delegation the SRV records
 * {@code _matrix-fed._tcp} then {@code _matrix._tcp} of the hostname are tried, then port 8448. Host header and
 * certificate name are the server name, or the delegated name when there is one, never an SRV target.
 */
public final class MatrixServerResolver implements ServerResolver {
    static final int DEFAULT_PORT = 8448;

    private final WellKnownCache wellKnown;
    private final SrvLookup srv;

    public MatrixServerResolver(WellKnownCache wellKnown, SrvLookup srv) {
        this.wellKnown = wellKnown;
        this.srv = srv;
    }

    @Override
    public Destination resolve(String serverName) throws FederationException {
        ServerName name;
        try {
            name = ServerName.parse(serverName);
        } catch (InvalidIdentifierException e) {
            throw new FederationException(serverName, 0, Optional.empty(), "not a valid server name");
        }
        Optional<Destination> direct = withoutLookups(name);
        if (direct.isPresent()) {
            return direct.get();
        }
        Optional<String> delegated;
        try {
            delegated = wellKnown.delegated(name.host());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FederationException(serverName, "interrupted", e);
        }
        if (delegated.isPresent()) {
            ServerName delegate = ServerName.parse(delegated.get());
            return withoutLookups(delegate).orElseGet(() -> bySrv(delegate.host()));
        }
        return bySrv(name.host());
    }

    /** Steps 1 and 2 (and 3.1, 3.2 for a delegated name): an IP literal, or a hostname with an explicit port. */
    private static Optional<Destination> withoutLookups(ServerName name) {
        if (name.isIpLiteral()) {
            return Optional.of(new Destination(name.host(), name.port().orElse(DEFAULT_PORT), name.toString(),
                    Optional.empty()));
        }
        if (name.port().isPresent()) {
            return Optional.of(new Destination(name.host(), name.port().getAsInt(), name.toString(),
                    Optional.of(name.host())));
        }
        return Optional.empty();
    }

    /** SRV _matrix-fed._tcp, then the deprecated _matrix._tcp, then port 8448; Host and TLS name stay {@code host}. */
    private Destination bySrv(String host) {
        Optional<SrvLookup.Target> target = srv.lookup("_matrix-fed._tcp." + host)
                .or(() -> srv.lookup("_matrix._tcp." + host));
        return target.map(t -> new Destination(t.host(), t.port(), host, Optional.of(host)))
                .orElseGet(() -> new Destination(host, DEFAULT_PORT, host, Optional.of(host)));
    }
}
