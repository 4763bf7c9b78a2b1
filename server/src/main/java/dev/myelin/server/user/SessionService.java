package dev.myelin.server.user;

import dev.myelin.server.http.AccessTokenResolver;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.RequestContext;
import dev.myelin.server.http.Requester;
import dev.myelin.server.storage.AccountStore.NewSession;
import dev.myelin.server.storage.DeviceStore;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Access and refresh tokens: issues them, resolves access tokens to their requester through a bounded in-memory
 * cache keyed by token hash (invalidated when a device, user or password changes), and rotates refresh tokens.
 */
public final class SessionService implements AccessTokenResolver {
    static final String ACCESS_PREFIX = "mya_";
    static final String REFRESH_PREFIX = "myr_";
    private static final int MAX_CACHED = 100_000;

    /** Tokens handed to a client; the hashes of the same tokens go to the store. */
    public record Issued(String accessToken, Optional<String> refreshToken, long expiresInMs, NewSession session) {
    }

    /**
     * How long a cached lookup is trusted before the database is asked again. Revocations in this process invalidate
     * at once; this bounds how long another process sharing the database (which cannot reach this cache) may still
     * accept a token it revoked.
     */
    static final long CACHE_TTL_MS = 60_000;

    private record Cached(Requester requester, long expiresTs, long cachedAt) {
    }

    private final DeviceStore devices;
    private final DeviceActivity activity;
    private final Clock clock;
    private final long accessLifetimeMs;
    private final long refreshableLifetimeMs;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    /**
     * Bumped by every invalidation. A lookup that missed the cache caches its database answer only if no
     * invalidation ran meanwhile, so a token revoked while its lookup was in flight never gets cached.
     */
    private final AtomicLong invalidations = new AtomicLong();

    /**
     * @param accessLifetimeMs      lifetime of tokens without refresh token, 0 for never expiring
     * @param refreshableLifetimeMs lifetime of tokens that come with a refresh token
     */
    public SessionService(DeviceStore devices, DeviceActivity activity, Clock clock, long accessLifetimeMs,
                          long refreshableLifetimeMs) {
        this.devices = devices;
        this.activity = activity;
        this.clock = clock;
        this.accessLifetimeMs = accessLifetimeMs;
        this.refreshableLifetimeMs = refreshableLifetimeMs;
    }

    /** New tokens for a device; the caller stores {@link Issued#session()} (alone or with other writes). */
    public Issued issue(String userId, String deviceId, Optional<String> displayName, boolean refreshable) {
        long now = clock.millis();
        String access = Tokens.newToken(ACCESS_PREFIX);
        long lifetime = refreshable ? refreshableLifetimeMs : accessLifetimeMs;
        Optional<String> refresh = refreshable ? Optional.of(Tokens.newToken(REFRESH_PREFIX)) : Optional.empty();
        var session = new NewSession(userId, deviceId, displayName, Tokens.hash(access),
                lifetime > 0 ? now + lifetime : 0, refresh.map(Tokens::hash), now);
        return new Issued(access, refresh, lifetime, session);
    }

    /** Issues and stores tokens for a device (creating it when missing); an old token of the device stops working. */
    public Issued startSession(String userId, String deviceId, Optional<String> displayName, boolean refreshable) {
        Issued issued = issue(userId, deviceId, displayName, refreshable);
        devices.startSession(issued.session());
        invalidateDevice(userId, deviceId);
        return issued;
    }

    @Override
    public Optional<Requester> resolve(String accessToken) {
        return resolve(accessToken, false);
    }

    /** Like {@link #resolve}, but an expired token still names its device (for POST /logout after a soft logout). */
    public Optional<Requester> resolveAllowingExpired(String accessToken) {
        return resolve(accessToken, true);
    }

    private Optional<Requester> resolve(String accessToken, boolean allowExpired) {
        String hash = Tokens.hash(accessToken);
        long now = clock.millis();
        Cached cached = cache.get(hash);
        if (cached != null && now - cached.cachedAt() >= CACHE_TTL_MS) {
            cache.remove(hash, cached);
            cached = null;
        }
        if (cached == null) {
            long epoch = invalidations.get();
            Optional<DeviceStore.TokenOwner> owner = devices.findByAccessToken(hash);
            if (owner.isEmpty() || owner.get().deactivated()) {
                return Optional.empty();
            }
            var found = owner.get();
            if (found.refreshPending()) {
                devices.clearPreviousRefreshToken(found.userId(), found.deviceId());
            }
            cached = new Cached(new Requester(found.userId(), found.deviceId(), found.guest(), found.locked(),
                    found.suspended()),
                    found.accessExpiresTs(), now);
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(hash, cached);
            if (invalidations.get() != epoch) {
                cache.remove(hash);
            }
        }
        if (!allowExpired && cached.expiresTs() > 0 && cached.expiresTs() <= now) {
            throw new MatrixException(401, ErrorCode.M_UNKNOWN_TOKEN, "Access token has expired",
                    Map.of("soft_logout", true));
        }
        Requester requester = cached.requester();
        if (RequestContext.CURRENT.isBound()) {
            activity.seen(requester.userId(), requester.deviceId(), RequestContext.CURRENT.get().remoteAddress());
        }
        return Optional.of(requester);
    }

    /** Exchanges a refresh token for new tokens (spec: POST /refresh). */
    public Issued refresh(String refreshToken) {
        long now = clock.millis();
        String access = Tokens.newToken(ACCESS_PREFIX);
        String refresh = Tokens.newToken(REFRESH_PREFIX);
        long expires = now + refreshableLifetimeMs;
        var refreshed = devices.refresh(Tokens.hash(refreshToken), Tokens.hash(access), expires, Tokens.hash(refresh))
                .orElseThrow(() -> new MatrixException(401, ErrorCode.M_UNKNOWN_TOKEN,
                        "Unknown or already used refresh token", Map.of("soft_logout", false)));
        invalidations.incrementAndGet();
        refreshed.replacedAccessTokenHash().ifPresent(cache::remove);
        return new Issued(access, Optional.of(refresh), refreshableLifetimeMs,
                new NewSession(refreshed.userId(), refreshed.deviceId(), Optional.empty(), Tokens.hash(access),
                        expires, Optional.of(Tokens.hash(refresh)), now));
    }

    /** Drops cached lookups of a device's tokens (after it was deleted or re-tokened). */
    public void invalidateDevice(String userId, String deviceId) {
        invalidations.incrementAndGet();
        cache.values().removeIf(c -> c.requester().userId().equals(userId)
                && c.requester().deviceId().equals(deviceId));
        activity.forget(userId, deviceId);
    }

    /** Drops every cached lookup of a user's tokens (password change, deactivation). */
    public void invalidateUser(String userId) {
        invalidations.incrementAndGet();
        cache.values().removeIf(c -> c.requester().userId().equals(userId));
    }

    public int cachedTokens() {
        return cache.size();
    }
}
