package dev.myelin.server.client;

import dev.myelin.server.appservice.AppServiceQueries;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Router;

import java.util.Map;

/**
 * Third-party lookups (spec: client-server third_party_lookup.yaml), answered by the application services that
 * declare the protocol ("Third-party networks"). An unknown protocol is 404 M_NOT_FOUND.
 */
public final class ThirdPartyEndpoints {
    private final Authenticator authenticator;
    private final AppServiceQueries queries;

    public ThirdPartyEndpoints(Authenticator authenticator, AppServiceQueries queries) {
        this.authenticator = authenticator;
        this.queries = queries;
    }

    public void register(Router router) {
        router.add("GET", Router.CLIENT_V3_AND_R0, "/thirdparty/protocols", this::protocols);
        router.add("GET", Router.CLIENT_V3_AND_R0, "/thirdparty/protocol/{protocol}", this::protocol);
        router.add("GET", Router.CLIENT_V3_AND_R0, "/thirdparty/location/{protocol}",
                request -> byProtocol(request, "location"));
        router.add("GET", Router.CLIENT_V3_AND_R0, "/thirdparty/user/{protocol}",
                request -> byProtocol(request, "user"));
        router.add("GET", Router.CLIENT_V3_AND_R0, "/thirdparty/location",
                request -> reverse(request, "location", "alias"));
        router.add("GET", Router.CLIENT_V3_AND_R0, "/thirdparty/user", request -> reverse(request, "user", "userid"));
    }

    private MatrixResponse protocols(MatrixRequest request) {
        authenticator.require(request);
        return MatrixResponse.ok(queries.protocols());
    }

    private MatrixResponse protocol(MatrixRequest request) {
        authenticator.require(request);
        String protocol = request.pathParam("protocol");
        return MatrixResponse.ok(queries.protocol(protocol)
                .orElseThrow(() -> MatrixException.notFound("Unknown protocol " + protocol)));
    }

    private MatrixResponse byProtocol(MatrixRequest request, String kind) {
        authenticator.require(request);
        String protocol = request.pathParam("protocol");
        if (!queries.declared(protocol)) {
            throw MatrixException.notFound("Unknown protocol " + protocol);
        }
        return MatrixResponse.ok(queries.lookup(kind, protocol, request.queryParameters()));
    }

    private MatrixResponse reverse(MatrixRequest request, String kind, String param) {
        authenticator.require(request);
        String value = request.query(param).orElseThrow(() -> MatrixException.missingParam("Missing '" + param + "'"));
        return MatrixResponse.ok(queries.lookup(kind, null, Map.of(param, value)));
    }
}
