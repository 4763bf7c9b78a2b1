package dev.myelin.server.appservice;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One entry of a registration's users, aliases or rooms namespace (spec: application-service-api "Registration"):
 * a regular expression that must match the whole identifier, and whether the application service claims it alone.
 */
public record Namespace(Pattern regex, boolean exclusive) {

    public boolean matches(String id) {
        return regex.matcher(id).matches();
    }

    /** Whether any namespace in {@code list} matches {@code id}. */
    public static boolean anyMatches(List<Namespace> list, String id) {
        for (Namespace namespace : list) {
            if (namespace.matches(id)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an exclusive namespace in {@code list} matches {@code id}. */
    public static boolean exclusiveMatches(List<Namespace> list, String id) {
        for (Namespace namespace : list) {
            if (namespace.exclusive() && namespace.matches(id)) {
                return true;
            }
        }
        return false;
    }
}
