/**
 * Event authorization and state resolution (spec: rooms/v1..v12 "Authorization rules" and "State
 * resolution", server-server-api "Auth events selection", MSC4289, MSC4291, MSC4297).
 *
 * <p>{@link dev.myelin.spec.auth.EventAuthorizer} checks one event against a state;
 * {@link dev.myelin.spec.auth.AuthEventSelector} says which state entries an event cites;
 * {@link dev.myelin.spec.auth.AuthChain} walks auth_events; {@link dev.myelin.spec.auth.StateResolver}
 * merges forked states with the room version's algorithm. Nothing here does I/O: events come from an
 * {@link dev.myelin.spec.auth.EventLookup}.
 */
package dev.myelin.spec.auth;
