package dev.myelin.spec.event;

import java.util.Objects;

/** The (event type, state key) pair that identifies one entry of a room's state. */
public record StateKey(String type, String stateKey) {
    public StateKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stateKey, "stateKey");
    }

    public static StateKey of(Pdu event) {
        return new StateKey(event.type(), event.stateKey());
    }
}
