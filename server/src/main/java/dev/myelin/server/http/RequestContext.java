package dev.myelin.server.http;

/** What travels with a request on its virtual thread (architecture guide: a ScopedValue). */
public record RequestContext(String requestId, String remoteAddress) {
    public static final ScopedValue<RequestContext> CURRENT = ScopedValue.newInstance();
}
