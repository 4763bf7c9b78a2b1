package dev.myelin.server.client;

import java.util.List;
import java.util.Map;

/**
 * What GET /_matrix/client/versions advertises. Clients switch behaviour on these, so a false claim
 * breaks them: an unstable feature is listed only once it works, and a spec version v1.N (N > 1)
 * only once what v1.N added to v1.(N-1) works. v1.1 is the baseline every client requires before
 * it talks to a server at all (matrix-js-sdk's auto-discovery refuses a server without one of
 * v1.1..v1.9). Up to v1.17 every Client-Server addition works, or is optional and left out as the spec allows
 * (OAuth 2.0: {@code auth_metadata} is 404, so clients use the legacy login; {@code unsigned.membership} is a
 * SHOULD). v1.18 waits for invite blocking over federation and in sync, and policy servers;
 * docs/FEATURES.md says which areas work.
 */
public final class SpecVersions {
    /** Spec versions advertised; see the class comment for when one is added. */
    public static final List<String> VERSIONS = List.of("v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7",
            "v1.8", "v1.9", "v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15", "v1.16", "v1.17");

    /** Unstable features (MSC names) that work. */
    public static final Map<String, Boolean> UNSTABLE_FEATURES = Map.of();

    private SpecVersions() {
    }
}
