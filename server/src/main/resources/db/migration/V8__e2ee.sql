-- End-to-end encryption (spec: client-server-api modules end_to_end_encryption, send_to_device, key backup) and
-- MSC3814 dehydrated devices. Keys are kept as the JSON text the client uploaded; signatures added later by
-- other keys live in e2e_key_signatures and are merged in when keys are queried.

-- A device's identity keys (one object per device, replaced by a later upload).
CREATE TABLE e2e_device_keys (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    key_json  TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id)
);

-- One-time keys: each is handed out once by /keys/claim and deleted in the same transaction.
CREATE TABLE e2e_one_time_keys (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    key_json  TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id, algorithm, key_id)
);

-- At most one fallback key per device and algorithm; "used" once a claim handed it out.
CREATE TABLE e2e_fallback_keys (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    key_json  TEXT NOT NULL,
    used      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, device_id, algorithm)
);

-- A user's cross-signing keys by usage: master, self_signing, user_signing.
CREATE TABLE e2e_cross_signing_keys (
    user_id    TEXT NOT NULL,
    usage      TEXT NOT NULL,
    public_key TEXT NOT NULL,
    key_json   TEXT NOT NULL,
    PRIMARY KEY (user_id, usage)
);

-- Signatures uploaded through /keys/signatures/upload. target_key is a device id or a cross-signing public key.
CREATE TABLE e2e_key_signatures (
    target_user TEXT NOT NULL,
    target_key  TEXT NOT NULL,
    signer_user TEXT NOT NULL,
    signer_key  TEXT NOT NULL,
    signature   TEXT NOT NULL,
    PRIMARY KEY (target_user, target_key, signer_user, signer_key)
);

-- The device_lists stream: a row when a user's devices or cross-signing keys change (room_id NULL), or when a
-- user's membership of a room changes (room_id and membership set), from which sync derives device_lists.
CREATE TABLE device_list_changes (
    stream_pos BIGINT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    room_id    TEXT,
    membership TEXT
);

CREATE INDEX device_list_changes_user ON device_list_changes (user_id, stream_pos);

-- The to_device stream: each device's inbox, deleted up to the position its next sync acknowledges.
CREATE TABLE to_device_inbox (
    stream_pos BIGINT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    event_json TEXT NOT NULL
);

CREATE INDEX to_device_inbox_device ON to_device_inbox (user_id, device_id, stream_pos);

-- Transaction ids of PUT /sendToDevice, so a retried request is not delivered twice.
CREATE TABLE to_device_txns (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    txn_id    TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id, txn_id)
);

-- Server-side key backups; versions count up per user and a deleted version is never reused.
CREATE TABLE room_key_backups (
    user_id   TEXT NOT NULL,
    version   BIGINT NOT NULL,
    algorithm TEXT NOT NULL,
    auth_data TEXT NOT NULL,
    etag      BIGINT NOT NULL,
    deleted   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, version)
);

CREATE TABLE room_key_backup_sessions (
    user_id             TEXT NOT NULL,
    version             BIGINT NOT NULL,
    room_id             TEXT NOT NULL,
    session_id          TEXT NOT NULL,
    first_message_index BIGINT NOT NULL,
    forwarded_count     BIGINT NOT NULL,
    is_verified         BOOLEAN NOT NULL,
    session_data        TEXT NOT NULL,
    PRIMARY KEY (user_id, version, room_id, session_id)
);

-- MSC3814: each user's one dehydrated device (also a row in devices, without tokens).
CREATE TABLE dehydrated_devices (
    user_id     TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    device_data TEXT NOT NULL
);
