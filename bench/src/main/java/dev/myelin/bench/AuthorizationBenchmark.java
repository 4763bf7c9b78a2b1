package dev.myelin.bench;

import dev.myelin.spec.auth.AuthorizationException;
import dev.myelin.spec.auth.EventAuthorizer;
import dev.myelin.spec.auth.EventLookup;
import dev.myelin.spec.event.Pdu;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Authorizes one join (a member of a 1,000-member public room) against its auth events: with the
 * auth_events list checks (receipt check 4) and against an already-built state map. Goal: under
 * 20 µs per check.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuthorizationBenchmark {
    @Param({"11", "12"})
    public String roomVersion;

    private EventAuthorizer authorizer;
    private Pdu join;
    private EventLookup lookup;
    private Map<StateKey, Pdu> authState;

    @Setup
    public void buildRoom() throws AuthorizationException {
        var room = new RoomFixture(RoomVersion.byId(roomVersion).orElseThrow());
        RoomFixture.Run run = room.publicRoom(RoomFixture.user(0));
        for (int i = 1; i <= 1_000; i++) {
            run.member(RoomFixture.user(i), RoomFixture.user(i), "join");
        }
        run.member(RoomFixture.user(5), RoomFixture.user(5), "leave");
        join = run.member(RoomFixture.user(5), RoomFixture.user(5), "join");
        lookup = room.lookup();
        authorizer = new EventAuthorizer((signed, keys) -> false);
        authState = new HashMap<>(authorizer.checkAuthEvents(join, lookup));
        authorizer.authorize(join, authState);
    }

    @Benchmark
    public Pdu joinAgainstAuthEvents() throws AuthorizationException {
        authorizer.authorizeByAuthEvents(join, lookup);
        return join;
    }

    @Benchmark
    public Pdu joinAgainstStateMap() throws AuthorizationException {
        authorizer.authorize(join, authState);
        return join;
    }
}
