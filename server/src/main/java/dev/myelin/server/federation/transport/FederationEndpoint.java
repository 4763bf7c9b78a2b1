package dev.myelin.server.federation.transport;

import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;

/** A federation API operation, called with the origin server its request was verified to come from. */
@FunctionalInterface
public interface FederationEndpoint {
    MatrixResponse handle(MatrixRequest request, String origin) throws Exception;
}
