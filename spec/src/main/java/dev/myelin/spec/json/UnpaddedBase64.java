package dev.myelin.spec.json;

import java.util.Base64;

/**
 * Unpadded base64 in the standard and URL-safe alphabets (spec: appendices "Unpadded Base64").
 * Decoding accepts padded input too, as the spec recommends.
 */
public final class UnpaddedBase64 {
    private static final Base64.Encoder STANDARD = Base64.getEncoder().withoutPadding();
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    private UnpaddedBase64() {
    }

    public static String encode(byte[] bytes) {
        return STANDARD.encodeToString(bytes);
    }

    public static String encodeUrlSafe(byte[] bytes) {
        return URL_SAFE.encodeToString(bytes);
    }

    /** Decodes standard base64, padded or not. @throws IllegalArgumentException if malformed */
    public static byte[] decode(String text) {
        return Base64.getDecoder().decode(withoutPadding(text));
    }

    /** Decodes URL-safe base64, padded or not. @throws IllegalArgumentException if malformed */
    public static byte[] decodeUrlSafe(String text) {
        return Base64.getUrlDecoder().decode(withoutPadding(text));
    }

    /** Strips up to two trailing '='; the JDK decoder then checks the length itself. */
    private static String withoutPadding(String text) {
        int end = text.length();
        for (int i = 0; i < 2 && end > 0 && text.charAt(end - 1) == '='; i++) {
            end--;
        }
        if (end % 4 == 1) {
            throw new IllegalArgumentException("base64 text has an impossible length " + end);
        }
        return text.substring(0, end);
    }

    /** Whether every character is in the standard alphabet (no padding). */
    public static boolean isStandardAlphabet(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isAlphanumeric(c) && c != '+' && c != '/') {
                return false;
            }
        }
        return true;
    }

    /** Whether every character is in the URL-safe alphabet (no padding). */
    public static boolean isUrlSafeAlphabet(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isAlphanumeric(c) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}
