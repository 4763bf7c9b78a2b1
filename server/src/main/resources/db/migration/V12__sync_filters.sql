-- Filters uploaded with POST /user/{userId}/filter (spec: client-server-api "Filtering"). Ids count per user.
CREATE TABLE sync_filters (
    user_id   TEXT NOT NULL,
    filter_id BIGINT NOT NULL,
    json      TEXT NOT NULL,
    PRIMARY KEY (user_id, filter_id)
);
