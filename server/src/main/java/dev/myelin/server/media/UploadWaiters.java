package dev.myelin.server.media;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Wakes downloads that wait for an asynchronous upload ({@code timeout_ms}) as soon as this process stores it.
 * Waiters also re-check the database now and then, so an upload finished by another process is seen too.
 */
final class UploadWaiters {
    private final ConcurrentHashMap<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

    /** Waits until {@link #uploaded} is called for the key or {@code millis} pass; true if woken. */
    boolean await(String key, long millis) throws InterruptedException {
        CompletableFuture<Void> future = waiting.computeIfAbsent(key, k -> new CompletableFuture<>());
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            waiting.remove(key, future);
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    void uploaded(String key) {
        CompletableFuture<Void> future = waiting.remove(key);
        if (future != null) {
            future.complete(null);
        }
    }
}
