package dev.myelin.server.appservice;

import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.AliasNamespaces;

import java.util.Optional;

/**
 * Application services' say over local aliases: an unknown alias in a namespace is queried from its service, an
 * exclusive namespace is closed to everyone else, and a service creates aliases only in its own namespaces (spec:
 * application-service-api "Server admin style permissions": 400 M_EXCLUSIVE).
 */
public final class AppServiceAliases implements AliasNamespaces {
    private final AppServices appServices;
    private final AppServiceQueries queries;

    public AppServiceAliases(AppServices appServices, AppServiceQueries queries) {
        this.appServices = appServices;
        this.queries = queries;
    }

    @Override
    public boolean queryUnknown(String alias) {
        return queries.queryAlias(alias);
    }

    @Override
    public void checkMayCreate(String alias, String userId, String appServiceId) {
        if (appServiceId != null && appServices.byId(appServiceId).filter(r -> r.coversAlias(alias)).isEmpty()) {
            throw new MatrixException(400, ErrorCode.M_EXCLUSIVE,
                    "This application service has not reserved this alias");
        }
        appServices.checkAliasNotClaimed(alias, Optional.ofNullable(appServiceId));
    }
}
