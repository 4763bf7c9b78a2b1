-- Rooms, events and compact room state (see ARCHITECTURE.md "Storage").

-- Short numeric ids for event types and state keys, so state tables hold small integers.
CREATE TABLE event_types (
    type_nid ${id_pk},
    type     TEXT NOT NULL UNIQUE
);

CREATE TABLE state_keys (
    state_key_nid ${id_pk},
    state_key     TEXT NOT NULL UNIQUE
);

CREATE TABLE rooms (
    room_nid             ${id_pk},
    room_id              TEXT NOT NULL UNIQUE,
    room_version         TEXT NOT NULL,
    creator              TEXT NOT NULL,
    -- The state after the room's latest event (one writer per room keeps local rooms linear).
    current_snapshot_nid BIGINT,
    -- Whether the room is in this server's published room directory.
    published            BOOLEAN NOT NULL DEFAULT FALSE
);

-- A state snapshot maps (type_nid, state_key_nid) -> event_nid. It is stored as the entries that differ from its
-- parent snapshot; chain_length counts the deltas down to a full snapshot (parent NULL), and is bounded so that
-- reading a snapshot walks at most that many parents.
CREATE TABLE state_snapshots (
    snapshot_nid ${id_pk},
    room_nid     BIGINT NOT NULL,
    parent_nid   BIGINT,
    chain_length INTEGER NOT NULL
);

CREATE TABLE state_snapshot_entries (
    snapshot_nid  BIGINT NOT NULL,
    type_nid      BIGINT NOT NULL,
    state_key_nid BIGINT NOT NULL,
    event_nid     BIGINT NOT NULL,
    PRIMARY KEY (snapshot_nid, type_nid, state_key_nid)
);

CREATE TABLE events (
    event_nid          ${id_pk},
    event_id           TEXT NOT NULL UNIQUE,
    room_nid           BIGINT NOT NULL,
    type_nid           BIGINT NOT NULL,
    -- NULL for a message event.
    state_key_nid      BIGINT,
    depth              BIGINT NOT NULL,
    -- Position in the 'events' stream: the order this server learnt of events, which sync and /messages follow.
    stream_pos         BIGINT NOT NULL UNIQUE,
    -- The state before the event; a state event's state after it is in state_after_nid.
    state_before_nid   BIGINT,
    state_after_nid    BIGINT,
    rejected           BOOLEAN NOT NULL DEFAULT FALSE,
    soft_failed        BOOLEAN NOT NULL DEFAULT FALSE,
    redacted_by        TEXT,
    -- The event exactly as created or received: never re-serialised.
    json               ${blob} NOT NULL
);

CREATE INDEX events_room_stream ON events (room_nid, stream_pos);

CREATE TABLE forward_extremities (
    room_nid  BIGINT NOT NULL,
    event_nid BIGINT NOT NULL,
    PRIMARY KEY (room_nid, event_nid)
);

-- Every user's latest membership in every room, kept beside the state for joined_rooms and member lists.
CREATE TABLE room_memberships (
    room_nid   BIGINT NOT NULL,
    user_id    TEXT NOT NULL,
    membership TEXT NOT NULL,
    event_nid  BIGINT NOT NULL,
    forgotten  BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (room_nid, user_id)
);

CREATE INDEX room_memberships_user ON room_memberships (user_id, membership);

-- Client transaction ids, so a retried send returns the first event (spec: "Transaction identifiers").
-- scope names the endpoint and its path (e.g. 'send:<room>:<type>'); txn_id is the client's id as given, which
-- sync returns to the sending device as unsigned.transaction_id.
CREATE TABLE event_txn_ids (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    scope     TEXT NOT NULL,
    txn_id    TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id, scope, txn_id)
);

CREATE INDEX event_txn_ids_event ON event_txn_ids (event_id);

CREATE TABLE room_aliases (
    alias   TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    creator TEXT NOT NULL
);
