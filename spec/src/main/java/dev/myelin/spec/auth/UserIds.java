package dev.myelin.spec.auth;

/**
 * The user id checks the auth rules need: "@localpart:server", at most 255 characters. Historical
 * user ids are allowed (spec: appendices "User Identifiers"), so the localpart is not restricted.
 */
final class UserIds {
    private UserIds() {}

    static boolean isValid(String userId) {
        if (userId == null || userId.length() > 255 || !userId.startsWith("@")) {
            return false;
        }
        int colon = userId.indexOf(':');
        return colon > 1 && colon < userId.length() - 1;
    }

    /** The server name of a user id or v1/v2 event id ("@a:example.org" -> "example.org"). */
    static String domain(String id) {
        int colon = id == null ? -1 : id.indexOf(':');
        return colon < 0 ? null : id.substring(colon + 1);
    }
}
