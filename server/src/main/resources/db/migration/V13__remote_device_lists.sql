-- Device lists of users on other servers (spec: server-server-api "Device Management"): the answer of
-- GET /_matrix/federation/v1/user/devices/{userId} (devices, master and self-signing keys) kept current by
-- m.device_list_update and m.signing_key_update EDUs; stream_id is the remote server's version of the list.
CREATE TABLE remote_device_lists (
    user_id   TEXT PRIMARY KEY,
    stream_id BIGINT NOT NULL,
    json      TEXT NOT NULL
);
