package dev.myelin.server.media;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Media ids: random, and restricted to {@code [A-Za-z0-9_-]} as the spec requires of every id we accept. */
public final class MediaIds {
    private static final Pattern VALID = Pattern.compile("^[A-Za-z0-9_-]{1,255}$");
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private MediaIds() {
    }

    /** A new id: 24 characters of 62, about 143 bits. */
    public static String generate() {
        var id = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }

    /** Whether an id from a request is safe to look up (no path traversal, spec: content repo security). */
    public static boolean valid(String mediaId) {
        return VALID.matcher(mediaId).matches();
    }
}
