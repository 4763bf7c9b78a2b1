package dev.myelin.bench;

import dev.myelin.spec.auth.EventAuthorizer;
import dev.myelin.spec.auth.EventLookup;
import dev.myelin.spec.auth.StateResolver;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Resolves two forks of a room with 10,000 joined members. Fork A: the admin bans 250 members,
 * raises a moderator and sets 250 state events; fork B: 250 other members leave and the admin sets
 * 250 other state events. About 1,000 conflicted state events, plus their auth difference.
 * Goal: under 100 ms per resolution.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StateResolutionBenchmark {
    private static final int MEMBERS = 10_000;
    private static final int PER_KIND = 250;

    @Param({"11", "12"})
    public String roomVersion;

    private RoomVersion version;
    private List<Map<StateKey, String>> forks;
    private EventLookup lookup;
    private StateResolver resolver;

    @Setup
    public void buildRoom() {
        version = RoomVersion.byId(roomVersion).orElseThrow();
        var room = new RoomFixture(version);
        String admin = RoomFixture.user(0);
        RoomFixture.Run base = room.publicRoom(admin);
        for (int i = 1; i <= MEMBERS; i++) {
            base.member(RoomFixture.user(i), RoomFixture.user(i), "join");
        }
        RoomFixture.Run a = base.fork();
        RoomFixture.Run b = base.fork();
        var users = RoomFixture.object();
        if (!version.authorization().privilegedCreators()) {
            users.put(admin, 100);
        }
        users.put(RoomFixture.user(1), 50);
        a.add(admin, "m.room.power_levels", "", RoomFixture.object().set("users", users));
        for (int i = 0; i < PER_KIND; i++) {
            a.member(admin, RoomFixture.user(100 + i), "ban");
            a.add(admin, "m.bench.a", Integer.toString(i), RoomFixture.object().put("n", i));
            b.member(RoomFixture.user(1000 + i), RoomFixture.user(1000 + i), "leave");
            b.add(admin, "m.bench.b", Integer.toString(i), RoomFixture.object().put("n", i));
        }
        forks = List.of(a.state, b.state);
        lookup = room.lookup();
        resolver = new StateResolver(new EventAuthorizer((signed, keys) -> false));
        checkOutcome(resolveTwoForks(), base.state, a.state, b.state);
    }

    /**
     * No fork's change revokes another's, so each key must resolve to whichever fork changed it; a
     * resolution that rejected events would be measured doing less work than it should.
     */
    private static void checkOutcome(Map<StateKey, String> resolved, Map<StateKey, String> base,
            Map<StateKey, String> a, Map<StateKey, String> b) {
        var expected = new HashMap<>(base);
        expected.putAll(b);
        expected.putAll(a);
        b.forEach((key, id) -> {
            if (!id.equals(base.get(key))) {
                expected.put(key, id);
            }
        });
        if (!resolved.equals(expected)) {
            throw new IllegalStateException("unexpected resolution: " + resolved.size() + " entries, "
                    + expected.size() + " expected");
        }
    }

    @Benchmark
    public Map<StateKey, String> resolveTwoForks() {
        return resolver.resolve(version, forks, lookup);
    }
}
