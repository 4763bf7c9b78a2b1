package dev.myelin.spec.id;

/**
 * A device id. The spec leaves it an opaque string chosen by the server or the client; we only
 * require it to be non-empty, at most 255 bytes, and free of control characters and lone
 * surrogates, so it is safe to store, log and put in JSON.
 */
public record DeviceId(String value) {
    private static final String KIND = "device id";

    public DeviceId {
        if (value == null || value.isEmpty()) {
            throw new InvalidIdentifierException(KIND, String.valueOf(value), "empty");
        }
        if (Grammar.utf8Length(value) > 255) {
            throw new InvalidIdentifierException(KIND, value, "longer than 255 bytes");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidIdentifierException(KIND, value, "contains a control character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidIdentifierException(KIND, value, "contains a lone surrogate");
            }
        }
    }

    public static DeviceId parse(String text) {
        return new DeviceId(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
