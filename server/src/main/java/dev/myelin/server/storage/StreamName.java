package dev.myelin.server.storage;

import java.util.regex.Pattern;

/** The name of a stream that feeds sync, e.g. {@code events} or {@code to_device}. */
public record StreamName(String value) {
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    public StreamName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid stream name: " + value);
        }
    }

    public static StreamName of(String value) {
        return new StreamName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
