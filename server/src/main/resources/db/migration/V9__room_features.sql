-- Profiles, the user directory, full-text search of room events, content reports and OpenID tokens.

-- Profile fields of local users (spec: profile.yaml, MSC4133): displayname, avatar_url and extended fields, each
-- value stored as its JSON text.
CREATE TABLE profile_fields (
    user_id TEXT NOT NULL,
    field   TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, field)
);

-- The user directory: one row per user this server knows a name for (local profiles, members of known rooms).
CREATE TABLE user_directory (
    user_id      TEXT PRIMARY KEY,
    display_name TEXT,
    avatar_url   TEXT,
    -- Whether the user is local: with user_directory.search_all_users every local user is searchable.
    is_local     BOOLEAN NOT NULL
);

-- Lower-cased words of each user's id and display name, searched by prefix with an index range scan.
CREATE TABLE user_directory_terms (
    term    TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (term, user_id)
);
CREATE INDEX user_directory_terms_user ON user_directory_terms (user_id);

-- Rooms whose join rule is public: their members are visible in the directory to everyone.
CREATE TABLE user_directory_public_rooms (
    room_nid BIGINT PRIMARY KEY
);

-- Full-text index of searchable keys (content.body, content.name, content.topic) of unencrypted events:
-- an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL (see Dialect).
${event_search_ddl};

-- Events stored before this migration, indexed in batches at start (SearchBackfill) and then deleted.
CREATE TABLE event_search_backfill (
    next_event_nid BIGINT NOT NULL,
    last_event_nid BIGINT NOT NULL
);
INSERT INTO event_search_backfill (next_event_nid, last_event_nid) SELECT 0, COALESCE(MAX(event_nid), 0) FROM events;

-- Reports of events, rooms and users (spec: report_content.yaml); event_id and target_user_id are NULL for the
-- kinds that have none.
CREATE TABLE content_reports (
    report_id      ${id_pk},
    kind           TEXT NOT NULL,
    received_ts    BIGINT NOT NULL,
    reporter       TEXT NOT NULL,
    room_id        TEXT,
    event_id       TEXT,
    target_user_id TEXT,
    reason         TEXT,
    score          INTEGER
);
CREATE INDEX content_reports_kind ON content_reports (kind, received_ts);

-- OpenID tokens a user hands to a third party, which asks who the user is (spec: openid.yaml).
CREATE TABLE openid_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    expires_ts BIGINT NOT NULL
);
