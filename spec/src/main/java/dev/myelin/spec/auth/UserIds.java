package dev.myelin.spec.auth;

import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.UserId;

/**
 * The user id checks the auth rules need. Historical user ids are allowed (spec: appendices "User
 * Identifiers"): rooms hold ids created before the grammar was tightened.
 */
final class UserIds {
    private UserIds() {}

    static boolean isValid(String userId) {
        if (userId == null) {
            return false;
        }
        try {
            UserId.parse(userId);
            return true;
        } catch (InvalidIdentifierException invalid) {
            return false;
        }
    }

    /** The server name of a user id or v1/v2 event id ("@a:example.org" -> "example.org"). */
    static String domain(String id) {
        int colon = id == null ? -1 : id.indexOf(':');
        return colon < 0 ? null : id.substring(colon + 1);
    }
}
