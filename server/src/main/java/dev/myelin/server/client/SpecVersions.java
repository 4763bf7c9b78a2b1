package dev.myelin.server.client;

import java.util.List;
import java.util.Map;

/**
 * What GET /_matrix/client/versions advertises. A spec version is listed only once every
 * Client-Server endpoint of that version works, and an unstable feature only once it works: clients
 * switch behaviour on these, so a false claim breaks them. Add entries as features land.
 */
public final class SpecVersions {
    /** Spec versions fully supported. None yet: accounts, rooms and sync are still to come. */
    public static final List<String> VERSIONS = List.of();

    /** Unstable features (MSC names) that work. */
    public static final Map<String, Boolean> UNSTABLE_FEATURES = Map.of();

    private SpecVersions() {
    }
}
