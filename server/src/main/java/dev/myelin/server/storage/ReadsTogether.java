package dev.myelin.server.storage;

import java.util.function.Supplier;

/** Runs code whose many store reads share one read transaction (see {@code Database#readingTogether}). */
public interface ReadsTogether {
    <T> T readingTogether(Supplier<T> code);
}
