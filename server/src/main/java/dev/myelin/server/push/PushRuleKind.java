package dev.myelin.server.push;

import java.util.Optional;

/** The kinds of push rule, in the order they are checked (spec: client-server-api "Push Rules"). */
public enum PushRuleKind {
    OVERRIDE, CONTENT, ROOM, SENDER, UNDERRIDE;

    /** The name used in the API and in {@code m.push_rules}. */
    public String value() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<PushRuleKind> of(String value) {
        for (PushRuleKind kind : values()) {
            if (kind.value().equals(value)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
