-- Rooms shared with other servers (spec: server-server-api "PDUs", "Joining Rooms", MSC3706).

-- An outlier is an event stored for its own sake (an auth event, the state given by a join) whose place in the
-- room's DAG, and so the state before it, this server does not know. Outliers are never in a timeline.
ALTER TABLE events ADD COLUMN outlier BOOLEAN NOT NULL DEFAULT FALSE;

-- A room joined with partial state (MSC3706 faster joins): the membership events of the room were omitted by the
-- resident server and are being fetched in the background from resync_servers (space separated).
ALTER TABLE rooms ADD COLUMN partial_state BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rooms ADD COLUMN resync_servers TEXT;

-- The stripped state another server sent with an invite of a local user to a room this server is not in
-- (spec: PUT /_matrix/federation/v2/invite, invite_room_state), shown to the invitee by sync.
CREATE TABLE invite_room_state (
    event_nid BIGINT PRIMARY KEY,
    json      ${blob} NOT NULL
);
