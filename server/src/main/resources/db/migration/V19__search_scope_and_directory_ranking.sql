-- Faster search of common words and user directory prefixes (issue #10).

-- SQLite: event_search rebuilt with an indexed scope column holding one token per row, "r" + room nid + the key's
-- letter (b, n, t), so a search's room and key filter is part of the FTS5 query (SqlSearchStore.scopeToken);
-- the key column is dropped, as the token holds it. PostgreSQL: see Dialect.
${event_search_scope};

-- Each word row holds the user's lower-cased display name, so a prefix search ranks its candidates from the
-- index alone, without reading each candidate's user_directory row.
ALTER TABLE user_directory_terms ADD COLUMN name TEXT;
UPDATE user_directory_terms SET name = (
    SELECT lower(d.display_name) FROM user_directory d WHERE d.user_id = user_directory_terms.user_id);
CREATE INDEX user_directory_terms_ranked ON user_directory_terms (term, name, user_id);
