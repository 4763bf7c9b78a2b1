/**
 * Rooms: creating events in local rooms and reading them for clients.
 *
 * <p>{@link dev.myelin.server.room.RoomService} is the one writer per room: under the room's lock it builds each event
 * (prev_events = forward extremities, depth + 1, auth_events selected with the spec's AuthEventSelector from the
 * current state), authorizes it with EventAuthorizer, hashes and signs it, and persists it with its state snapshot and
 * the new extremities in one transaction ({@link dev.myelin.server.storage.RoomStore#persist}), then tells the
 * {@link dev.myelin.server.sync.Notifier}. {@link dev.myelin.server.room.RoomCreation} turns /createRoom into that
 * pipeline's drafts; {@link dev.myelin.server.room.RoomReader} applies history visibility and renders client events.
 *
 * <p>Local rooms only: events from other servers (federation) will need persist with an explicit state before and
 * state resolution of several extremities.
 */
package dev.myelin.server.room;
