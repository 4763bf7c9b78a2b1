package dev.myelin.server.appservice;

import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured application services, found by id or as_token, and the namespace rules between them and users. */
public final class AppServices {
    private final List<AppServiceRegistration> all;
    private final Map<String, AppServiceRegistration> byId = new LinkedHashMap<>();
    private final Map<String, AppServiceRegistration> byAsToken = new LinkedHashMap<>();

    public AppServices(List<AppServiceRegistration> registrations) {
        this.all = List.copyOf(registrations);
        for (AppServiceRegistration registration : registrations) {
            byId.put(registration.id(), registration);
            byAsToken.put(registration.asToken(), registration);
        }
    }

    public List<AppServiceRegistration> all() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    public Optional<AppServiceRegistration> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Optional<AppServiceRegistration> byAsToken(String asToken) {
        return Optional.ofNullable(byAsToken.get(asToken));
    }

    /**
     * Refuses a user id that an application service claims exclusively (its sender, or an exclusive users
     * namespace) to anyone but that service (spec: "Server admin style permissions": 400 M_EXCLUSIVE).
     */
    public void checkUserNotClaimed(String userId, Optional<AppServiceRegistration> actor) {
        for (AppServiceRegistration registration : all) {
            if (actor.filter(a -> a.id().equals(registration.id())).isPresent()) {
                continue;
            }
            if (registration.senderUserId().equals(userId) || Namespace.exclusiveMatches(registration.users(), userId)) {
                throw new MatrixException(400, ErrorCode.M_EXCLUSIVE,
                        "This user id is reserved by an application service");
            }
        }
    }

    /** Refuses an alias that another application service claims exclusively (400 M_EXCLUSIVE). */
    public void checkAliasNotClaimed(String alias, Optional<String> actorId) {
        for (AppServiceRegistration registration : all) {
            if (!actorId.equals(Optional.of(registration.id()))
                    && Namespace.exclusiveMatches(registration.aliases(), alias)) {
                throw new MatrixException(400, ErrorCode.M_EXCLUSIVE,
                        "This room alias is reserved by an application service");
            }
        }
    }

    /** The application service whose users namespace covers a local user that does not exist yet, if any. */
    public Optional<AppServiceRegistration> forUser(String userId) {
        return all.stream().filter(r -> r.url().isPresent() && r.coversUser(userId)).findFirst();
    }

    /** The application services whose aliases namespace covers an alias, in registration order. */
    public List<AppServiceRegistration> forAlias(String alias) {
        return all.stream().filter(r -> r.url().isPresent() && r.coversAlias(alias)).toList();
    }
}
