-- PostgreSQL: an index of event_search's rooms, so a search of a word with a few thousand matches can AND the
-- word's GIN bitmap with the searcher's rooms' before reading rows, instead of reading every match of the word in
-- every room (SqlSearchStore). SQLite: nothing; its FTS5 rows hold the room as a token since V19.
${event_search_room_index};
