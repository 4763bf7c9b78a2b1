package dev.myelin.server.sync;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RoomsOfUsersTest {
    @Test
    void roomsAreGivenOnlyForATokenAtOrBeforeThePassThatReadThem() {
        var rooms = new RoomsOfUsers(10);
        assertThat(rooms.asOf("@a:x", 0)).isNull();
        rooms.remember("@a:x", Set.of("!one:x"), Set.of("!one:x"), 20);
        assertThat(rooms.asOf("@a:x", 20).roomIds()).containsExactly("!one:x");
        assertThat(rooms.asOf("@a:x", 15).roomIds()).containsExactly("!one:x");
        assertThat(rooms.asOf("@a:x", 21)).isNull(); // a later token may follow a join this read did not see
        assertThat(rooms.asOf("@b:x", 0)).isNull();
    }

    @Test
    void aPassAtAnEarlierPositionDoesNotReplaceALaterOne() {
        var rooms = new RoomsOfUsers(10);
        rooms.remember("@a:x", Set.of("!one:x", "!two:x"), Set.of("!one:x", "!two:x"), 30);
        rooms.remember("@a:x", Set.of("!one:x"), Set.of("!one:x"), 25); // another device's slower pass
        assertThat(rooms.asOf("@a:x", 30).roomIds()).containsExactlyInAnyOrder("!one:x", "!two:x");
        rooms.remember("@a:x", Set.of("!two:x"), Set.of("!two:x"), 40); // left !one:x
        assertThat(rooms.asOf("@a:x", 40).roomIds()).containsExactly("!two:x");
    }

    @Test
    void theLeastRecentlyUsedUserIsForgottenBeyondTheCapacity() {
        var rooms = new RoomsOfUsers(2);
        rooms.remember("@a:x", Set.of("!one:x"), Set.of("!one:x"), 1);
        rooms.remember("@b:x", Set.of("!one:x"), Set.of("!one:x"), 1);
        assertThat(rooms.asOf("@a:x", 1)).isNotNull();
        rooms.remember("@c:x", Set.of("!one:x"), Set.of("!one:x"), 1);
        assertThat(rooms.asOf("@b:x", 1)).isNull();
        assertThat(rooms.asOf("@a:x", 1)).isNotNull();
        assertThat(rooms.asOf("@c:x", 1)).isNotNull();
    }
}
