-- Application services (spec: application-service-api "Pushing events"): how far each one's transactions have got in
-- the events stream, the id of its next transaction, and the transaction being delivered, kept as sent so that a
-- retry carries exactly the same events under the same id.
CREATE TABLE appservice_progress (
    appservice_id TEXT PRIMARY KEY,
    events_pos    BIGINT NOT NULL,
    next_txn_id   BIGINT NOT NULL,
    pending_body  TEXT
);
