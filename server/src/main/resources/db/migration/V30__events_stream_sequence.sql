-- PostgreSQL: events take their stream positions from a sequence, which holds no lock until the transaction ends,
-- instead of counting up their stream_positions row (SequencedEventsStream). SQLite: nothing; its single writer
-- keeps counting the row.
${events_stream_sequence};
