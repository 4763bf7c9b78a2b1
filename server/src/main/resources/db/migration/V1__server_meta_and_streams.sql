-- Migrations are shared by SQLite and PostgreSQL. Where the two differ, use the placeholders from Dialect:
-- ${blob} for bytes, ${id_pk} for a primary key the database assigns and never reuses.

-- Facts about this server, e.g. the server name the database was created for.
CREATE TABLE server_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The committed head of each stream that feeds sync.
CREATE TABLE stream_positions (
    stream   TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
