-- Accounts, devices and sessions. Token columns hold the lowercase hex SHA-256 of the token, never the token.

CREATE TABLE users (
    user_id        TEXT PRIMARY KEY,
    password_hash  TEXT,
    is_guest       BOOLEAN NOT NULL DEFAULT FALSE,
    is_admin       BOOLEAN NOT NULL DEFAULT FALSE,
    deactivated    BOOLEAN NOT NULL DEFAULT FALSE,
    created_ts     BIGINT NOT NULL
);

-- One row per device; a device holds at most one access token and one refresh token at a time. After a refresh,
-- prev_refresh_hash keeps the refresh token just used valid until the new access or refresh token is used.
CREATE TABLE devices (
    user_id            TEXT NOT NULL,
    device_id          TEXT NOT NULL,
    display_name       TEXT,
    last_seen_ip       TEXT,
    last_seen_ts       BIGINT,
    created_ts         BIGINT NOT NULL,
    access_token_hash  TEXT UNIQUE,
    access_expires_ts  BIGINT,
    refresh_token_hash TEXT UNIQUE,
    prev_refresh_hash  TEXT UNIQUE,
    PRIMARY KEY (user_id, device_id)
);

-- Short-lived single-use tokens for m.login.token.
CREATE TABLE login_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    expires_ts  BIGINT NOT NULL
);
CREATE INDEX login_tokens_expiry ON login_tokens (expires_ts);

-- Registration tokens (m.login.registration_token), managed through the Synapse-compatible admin API.
CREATE TABLE registration_tokens (
    token        TEXT PRIMARY KEY,
    uses_allowed INTEGER,
    pending      INTEGER NOT NULL DEFAULT 0,
    completed    INTEGER NOT NULL DEFAULT 0,
    expiry_time  BIGINT
);
