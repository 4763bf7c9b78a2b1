package dev.myelin.server.typing;

/** Told of every typing notification start (renewals included) and stop, e.g. to send {@code m.typing} EDUs. */
@FunctionalInterface
public interface TypingListener {
    void typing(String roomId, String userId, boolean typing);
}
