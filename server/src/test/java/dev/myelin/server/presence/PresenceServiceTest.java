package dev.myelin.server.presence;

import dev.myelin.server.storage.PresenceStore.Presence;
import dev.myelin.server.storage.StoreContractTest;
import dev.myelin.server.storage.sql.SqlPresenceStore;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.InProcessNotifier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Presence state changes and timeouts, with a clock the test moves, on both databases. */
class PresenceServiceTest extends StoreContractTest {
    private static final String ALICE = "@alice:hs";

    /** A clock that stands still until the test moves it. */
    static final class MovableClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    MovableClock clock;
    SqlPresenceStore store;
    InProcessNotifier notifier;
    PresenceService presence;

    @BeforeEach
    void create() {
        clock = new MovableClock();
        store = new SqlPresenceStore(database);
        notifier = new InProcessNotifier();
        presence = new PresenceService(store, new SqlRoomStore(database), notifier, clock);
    }

    private String state() {
        return presence.get(ALICE).map(Presence::state).orElse("none");
    }

    @Test
    void syncingOnlineBringsAnOfflineUserOnlineUntilNoClientIsLeft() {
        assertThat(state()).isEqualTo("none");
        try (var _ = presence.syncing(ALICE, "online")) {
            assertThat(state()).isEqualTo("online");
            assertThat(presence.get(ALICE).orElseThrow().currentlyActive()).isTrue();
            assertThat(notifier.position(SqlPresenceStore.STREAM)).isEqualTo(store.currentPosition());
            // A long-poll in progress keeps the user connected however long it lasts.
            clock.millis += PresenceService.GONE_MS + 1;
            presence.expire();
            assertThat(state()).isEqualTo("online");
        }
        clock.millis += PresenceService.ACTIVE_MS - PresenceService.GONE_MS;
        presence.expire();
        assertThat(presence.get(ALICE).orElseThrow().currentlyActive()).isFalse();
        assertThat(state()).isEqualTo("online");
        clock.millis += PresenceService.GONE_MS;
        presence.expire();
        assertThat(state()).isEqualTo("offline");
        assertThat(store.get(ALICE).orElseThrow().presence().state()).isEqualTo("offline");
    }

    @Test
    void idleUsersBecomeUnavailableAndActivityBringsThemBack() {
        long before = store.currentPosition();
        for (int minute = 0; minute <= 5; minute++) {
            try (var _ = presence.syncing(ALICE, "online")) {
                clock.millis += 60_000;
                presence.expire();
            }
        }
        assertThat(state()).isEqualTo("unavailable");
        // online, then not currently active, then unavailable: three changes others see.
        assertThat(store.currentPosition()).isEqualTo(before + 3);
        presence.active(ALICE);
        assertThat(state()).isEqualTo("online");
        long afterActivity = store.currentPosition();
        presence.active(ALICE);
        assertThat(store.currentPosition()).as("activity while active is not a change").isEqualTo(afterActivity);
        assertThat(presence.content(presence.get(ALICE).orElseThrow()).path("last_active_ago").asLong()).isZero();
        clock.millis += 1234;
        assertThat(presence.content(presence.get(ALICE).orElseThrow()).path("last_active_ago").asLong())
                .isEqualTo(1234);
    }

    @Test
    void explicitStatesAndSyncsWithOtherPresence() {
        presence.set(ALICE, "unavailable", Optional.of("lunch"));
        try (var _ = presence.syncing(ALICE, "online")) {
            assertThat(state()).as("a sync does not override an explicit unavailable").isEqualTo("unavailable");
        }
        try (var _ = presence.syncing(ALICE, "offline")) {
            clock.millis += PresenceService.GONE_MS + 1;
            presence.expire();
            assertThat(state()).as("an offline sync does not keep the user connected").isEqualTo("offline");
        }
        assertThat(presence.get(ALICE).orElseThrow().statusMsg()).hasValue("lunch");
        try (var _ = presence.syncing(ALICE, "unavailable")) {
            assertThat(state()).isEqualTo("unavailable");
        }
        presence.set(ALICE, "online", Optional.empty());
        assertThat(presence.event(presence.get(ALICE).orElseThrow()).path("content").has("status_msg")).isFalse();
    }

    @Test
    void aRestartedServerKeepsWhatOthersSawUntilTheUserIsGone() {
        presence.set(ALICE, "online", Optional.of("here"));
        var restarted = new PresenceService(store, new SqlRoomStore(database), notifier, clock);
        assertThat(restarted.get(ALICE).orElseThrow().state()).isEqualTo("online");
        clock.millis += PresenceService.GONE_MS + 1;
        restarted.expire();
        assertThat(restarted.get(ALICE).orElseThrow().state()).isEqualTo("offline");
        assertThat(restarted.get(ALICE).orElseThrow().statusMsg()).hasValue("here");
    }
}
