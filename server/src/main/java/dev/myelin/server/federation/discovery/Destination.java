package dev.myelin.server.federation.discovery;

import java.util.Optional;

/**
 * Where to send requests for a server name (spec: server-server-api "Resolving server names").
 *
 * @param host       the host to connect to: an IP literal (IPv6 in brackets) or a name to resolve with AAAA/A
 * @param port       the port to connect to
 * @param hostHeader the {@code Host} header to send
 * @param tlsName    the name the certificate must be valid for, also sent as SNI; empty for an IP literal, whose
 *                   certificate is checked against the address and which gets no SNI
 */
public record Destination(String host, int port, String hostHeader, Optional<String> tlsName) {
}
