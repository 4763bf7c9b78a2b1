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
 * <p>Events from other servers go through {@link dev.myelin.server.room.RemoteEventIngest} (the spec's checks on
 * receipt, state before resolved over the prev_events, soft-fail, current state re-resolved when forks meet), under
 * the same per-room lock, and are stored with {@link dev.myelin.server.storage.RoomStore#persistReceived}; auth chains
 * and the state of a joined room are stored as outliers. Listeners ({@link dev.myelin.server.room.RoomEventListener})
 * hear of every persisted event, e.g. to send local ones to other servers; {@link
 * dev.myelin.server.room.RemoteMembership} joins, leaves and invites across servers.
 */
package dev.myelin.server.room;
