package dev.myelin.server.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Random bearer tokens and the SHA-256 hashes they are stored as (a token itself is never stored or logged). */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Tokens() {
    }

    /** A new token: a prefix naming its kind (syt_-like, handy for secret scanners) and 256 random bits. */
    public static String newToken(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + B64URL.encodeToString(bytes);
    }

    /** Lowercase hex SHA-256 of the token's UTF-8 bytes. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A random string of letters and digits, for device ids, UIA sessions and registration tokens. */
    public static String randomAlphanumeric(int length) {
        var out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
        }
        return out.toString();
    }

    /** A device id as servers usually make them: ten capital letters. */
    public static String newDeviceId() {
        var out = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            out.append((char) ('A' + RANDOM.nextInt(26)));
        }
        return out.toString();
    }

    public static String randomDigits(int length) {
        var out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) ('0' + RANDOM.nextInt(10)));
        }
        return out.toString();
    }
}
