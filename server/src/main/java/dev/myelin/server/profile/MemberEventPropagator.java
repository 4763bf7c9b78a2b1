package dev.myelin.server.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Carries a user's new displayname and avatar_url into their member event in every room they are joined to
 * (spec: "Events on Change of Profile Information"), in the background on one virtual thread, at most
 * {@code roomsPerSecond} rooms a second so a user in thousands of rooms does not flood them. Changes queued for a
 * user not yet handled are merged: the worker reads the profile when it gets to the user.
 */
public final class MemberEventPropagator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemberEventPropagator.class);

    private final RoomService rooms;
    private final Function<String, Map<String, String>> profiles;
    private final long pauseNanos;
    private final LinkedHashSet<String> pending = new LinkedHashSet<>();
    private final Thread worker;
    private volatile boolean closed;

    public MemberEventPropagator(RoomService rooms, Function<String, Map<String, String>> profiles,
                                 double roomsPerSecond) {
        this.rooms = rooms;
        this.profiles = profiles;
        this.pauseNanos = roomsPerSecond <= 0 ? 0 : (long) (1e9 / roomsPerSecond);
        this.worker = Thread.ofVirtual().name("profile-propagation").start(this::run);
    }

    /** The user's displayname or avatar_url changed. */
    public void changed(String userId) {
        synchronized (pending) {
            pending.add(userId);
            pending.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            String userId;
            synchronized (pending) {
                while (pending.isEmpty() && !closed) {
                    try {
                        pending.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                userId = pending.removeFirst();
            }
            try {
                propagate(userId);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Could not update the member events of {}", userId, e);
            }
        }
    }

    private void propagate(String userId) throws InterruptedException {
        Map<String, String> profile = profiles.apply(userId);
        for (RoomStore.Membership membership : rooms.store().membershipsOf(userId)) {
            if (closed) {
                return;
            }
            if (!"join".equals(membership.membership())) {
                continue;
            }
            Optional<ObjectNode> current = rooms.store().event(membership.eventNid())
                    .map(stored -> rooms.pdu(stored, RoomService.version(rooms.requireRoom(membership.roomId())))
                            .content());
            if (current.isEmpty() || sameProfile(current.get(), profile)) {
                continue;
            }
            ObjectNode content = current.get().deepCopy();
            content.remove("displayname");
            content.remove("avatar_url");
            content.remove("reason");
            profile.forEach(content::put);
            try {
                rooms.send(membership.roomId(), new RoomService.Draft(userId, "m.room.member", userId, content),
                        Optional.empty());
            } catch (MatrixException e) {
                // The user left or lost the right meanwhile; nothing to update there.
                LOG.debug("Member event of {} in {} not updated: {}", userId, membership.roomId(), e.getMessage());
            }
            if (pauseNanos > 0) {
                Thread.sleep(java.time.Duration.ofNanos(pauseNanos));
            }
        }
    }

    private static boolean sameProfile(ObjectNode content, Map<String, String> profile) {
        for (String key : new String[]{"displayname", "avatar_url"}) {
            String now = content.path(key).isTextual() ? content.get(key).asText() : null;
            if (!Objects.equals(now, profile.get(key))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (pending) {
            pending.notifyAll();
        }
        worker.interrupt();
    }
}
