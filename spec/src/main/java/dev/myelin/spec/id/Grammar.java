package dev.myelin.spec.id;

import java.nio.charset.StandardCharsets;

/** Character-level rules shared by several identifier grammars (spec: appendices "Identifier Grammar"). */
final class Grammar {
    /** User, room and event ids and room aliases are at most 255 bytes including sigil and domain. */
    static final int MAX_ID_BYTES = 255;

    private Grammar() {
    }

    static int utf8Length(String s) {
        int ascii = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
            ascii++;
        }
        return ascii;
    }

    /**
     * The historical localpart rule (user ids, classic room ids, aliases): any non-surrogate code
     * point except ':' and NUL. Returns null if fine, else the reason.
     */
    static String historicalLocalpartProblem(String localpart) {
        for (int i = 0; i < localpart.length(); i++) {
            char c = localpart.charAt(i);
            if (c == ':') {
                return "localpart contains ':'";
            }
            if (c == 0) {
                return "localpart contains NUL";
            }
            if (Character.isHighSurrogate(c) && i + 1 < localpart.length()
                    && Character.isLowSurrogate(localpart.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "localpart contains a lone surrogate";
            }
        }
        return null;
    }

    /** Whether the string is exactly 43 unpadded base64 characters: a SHA-256 hash. */
    static boolean isHash(String s, boolean urlSafe) {
        if (s.length() != 43) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            boolean extra = urlSafe ? c == '-' || c == '_' : c == '+' || c == '/';
            if (!alnum && !extra) {
                return false;
            }
        }
        return true;
    }
}
