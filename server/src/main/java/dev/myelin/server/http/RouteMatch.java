package dev.myelin.server.http;

import java.util.Map;
import java.util.Set;

/** The result of looking a request up in the {@link Router}. */
public sealed interface RouteMatch {

    /** A route answers this method and path; {@code params} are the decoded path parameters. */
    record Found(Route route, Map<String, String> params) implements RouteMatch {
    }

    /** Some route has this path, but not for this method: 405 M_UNRECOGNIZED. */
    record WrongMethod(Set<String> allowed) implements RouteMatch {
    }

    /** No route has this path: 404 M_UNRECOGNIZED. */
    record NotFound() implements RouteMatch {
    }
}
