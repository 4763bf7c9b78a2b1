package dev.myelin.spec.id;

/**
 * An identifier in the Opaque Identifier Grammar (spec: appendices "Opaque Identifiers"), such as
 * a transaction id: 1 to 255 characters of {@code [0-9A-Za-z-._~]}.
 */
public record OpaqueId(String value) {
    private static final String KIND = "opaque id";

    public OpaqueId {
        if (!isValid(value)) {
            throw new InvalidIdentifierException(KIND, String.valueOf(value),
                    "must be 1 to 255 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~'");
        }
    }

    public static OpaqueId parse(String text) {
        return new OpaqueId(text);
    }

    public static boolean isValid(String value) {
        if (value == null || value.isEmpty() || value.length() > 255) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }
}
