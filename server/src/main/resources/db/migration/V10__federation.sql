-- Federation: the verify keys of servers, the outbound queue per destination, and inbound transaction ids.

-- Every verify key known, ours included (spec: server-server-api "Retrieving server keys"). A key listed in
-- verify_keys has no expired_ts and is valid until valid_until_ts (capped at 7 days after it was fetched); a key
-- from old_verify_keys (or a rotated key of ours) has the expired_ts after which it signed nothing.
-- key_json is the signed /_matrix/key/v2/server response the key came from, as received, served again to notary
-- queries; NULL for our own keys.
CREATE TABLE server_keys (
    server_name    TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    valid_until_ts BIGINT NOT NULL,
    expired_ts     BIGINT,
    fetched_ts     BIGINT NOT NULL,
    key_json       ${blob},
    PRIMARY KEY (server_name, key_id)
);

-- What is waiting to be sent: one item (a PDU or an EDU, its JSON as it will be sent) shared by the destinations
-- still owed it. An item is deleted with its last destination row.
CREATE TABLE federation_outbox_items (
    id         ${id_pk},
    kind       TEXT NOT NULL,
    json       ${blob} NOT NULL,
    created_ts BIGINT NOT NULL
);

CREATE TABLE federation_outbox (
    destination TEXT NOT NULL,
    item_id     BIGINT NOT NULL,
    PRIMARY KEY (destination, item_id)
);
CREATE INDEX federation_outbox_by_item ON federation_outbox (item_id);

-- Destinations that failed: how many times in a row, and when to try again (exponential back-off).
CREATE TABLE federation_destinations (
    destination    TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    retry_after_ts BIGINT NOT NULL
);

-- Transactions received, so that a retried PUT /send/{txnId} gets the same answer without being processed twice.
CREATE TABLE federation_inbound_txns (
    origin        TEXT NOT NULL,
    txn_id        TEXT NOT NULL,
    response_json ${blob} NOT NULL,
    received_ts   BIGINT NOT NULL,
    PRIMARY KEY (origin, txn_id)
);
CREATE INDEX federation_inbound_txns_by_time ON federation_inbound_txns (received_ts);
