package dev.myelin.server.appservice;

import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;

/**
 * The {@code m.login.application_service} type of /register and /login (spec: application-service-api "Server admin
 * style permissions"): the as_token must be given (else 401 M_MISSING_TOKEN) and known (else 401 M_UNKNOWN_TOKEN),
 * and the user must be in the service's namespace (else 400 M_EXCLUSIVE).
 */
public final class AppServiceLogins {
    public static final String TYPE = "m.login.application_service";

    private final AppServices appServices;
    private final String serverName;

    public AppServiceLogins(AppServices appServices, String serverName) {
        this.appServices = appServices;
        this.serverName = serverName;
    }

    public boolean any() {
        return !appServices.isEmpty();
    }

    public AppServices appServices() {
        return appServices;
    }

    /** The application service whose as_token authenticates the request. */
    public AppServiceRegistration requireAppService(MatrixRequest request) {
        String token = request.accessToken().orElseThrow(() ->
                new MatrixException(401, ErrorCode.M_MISSING_TOKEN, "Missing application service token"));
        return appServices.byAsToken(token).orElseThrow(() ->
                new MatrixException(401, ErrorCode.M_UNKNOWN_TOKEN, "Unrecognised application service token"));
    }

    /** The full user id for a localpart or user id the service names, checked against its namespace. */
    public String userInNamespace(AppServiceRegistration registration, String user) {
        String userId = user.startsWith("@") ? user : "@" + user + ":" + serverName;
        if (!registration.coversUser(userId)) {
            throw new MatrixException(400, ErrorCode.M_EXCLUSIVE, "User is not in the application service's namespace");
        }
        return userId;
    }
}
