package dev.myelin.server.client;

import java.util.List;
import java.util.Map;

/**
 * What GET /_matrix/client/versions advertises. Clients switch behaviour on these, so a false claim
 * breaks them: an unstable feature is listed only once it works, and a spec version v1.N (N > 1)
 * only once what v1.N added to v1.(N-1) works. v1.1 is the baseline every client requires before
 * it talks to a server at all (matrix-js-sdk's auto-discovery refuses a server without one of
 * v1.1..v1.9); docs/FEATURES.md says which of its areas are implemented so far.
 */
public final class SpecVersions {
    /** Spec versions advertised; see the class comment for when one is added. */
    public static final List<String> VERSIONS = List.of("v1.1");

    /** Unstable features (MSC names) that work. */
    public static final Map<String, Boolean> UNSTABLE_FEATURES = Map.of();

    private SpecVersions() {
    }
}
