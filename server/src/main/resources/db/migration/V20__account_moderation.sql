-- Account locking (spec v1.12) and suspension (v1.13), set by server admins through /_matrix/client/v1/admin/.
ALTER TABLE users ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT FALSE;
