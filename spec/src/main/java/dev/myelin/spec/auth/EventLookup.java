package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;

/** Fetches events by id for authorization and state resolution. */
@FunctionalInterface
public interface EventLookup {
    /** The event, or null if unknown. */
    Pdu get(String eventId);

    /** Whether the event was rejected on receipt (spec: server-server-api "Rejection"). */
    default boolean isRejected(String eventId) { return false; }
}
