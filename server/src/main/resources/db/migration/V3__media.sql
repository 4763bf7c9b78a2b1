-- The media repository. Files live on disk under media.store_path, named by the SHA-256 of their bytes, so identical
-- uploads share one file; these tables hold what the files are and who uploaded them.

-- One row per mxc:// URI. A row created by POST /media/v1/create has no sha256 until its content is uploaded, and
-- is forgotten after unused_expires_ts. kind is 'upload' (counted in the uploader's quota) or 'preview' (an image
-- fetched for a URL preview). Remote media (server_name not ours) will be cached here too.
CREATE TABLE media (
    server_name       TEXT NOT NULL,
    media_id          TEXT NOT NULL,
    user_id           TEXT,
    kind              TEXT NOT NULL,
    content_type      TEXT,
    upload_name       TEXT,
    sha256            TEXT,
    size              BIGINT NOT NULL DEFAULT 0,
    width             INTEGER,
    height            INTEGER,
    created_ts        BIGINT NOT NULL,
    uploaded_ts       BIGINT,
    unused_expires_ts BIGINT,
    last_access_ts    BIGINT NOT NULL,
    PRIMARY KEY (server_name, media_id)
);
CREATE INDEX media_by_user ON media (user_id, kind);
CREATE INDEX media_by_sha256 ON media (sha256);
CREATE INDEX media_pending ON media (unused_expires_ts);
CREATE INDEX media_by_access ON media (last_access_ts);

-- Thumbnails belong to file contents (a sha256), not to media ids, so duplicates share them too.
CREATE TABLE media_thumbnails (
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    method       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_ts   BIGINT NOT NULL,
    PRIMARY KEY (sha256, width, height, method, content_type)
);

-- URL previews as served to clients (the JSON object), until expires_ts.
CREATE TABLE url_previews (
    url        TEXT PRIMARY KEY,
    preview    TEXT NOT NULL,
    fetched_ts BIGINT NOT NULL,
    expires_ts BIGINT NOT NULL
);
CREATE INDEX url_previews_expiry ON url_previews (expires_ts);
