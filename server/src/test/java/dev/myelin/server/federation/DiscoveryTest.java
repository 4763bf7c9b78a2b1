package dev.myelin.server.federation;

import dev.myelin.server.federation.discovery.Destination;
import dev.myelin.server.federation.discovery.MatrixServerResolver;
import dev.myelin.server.federation.discovery.SrvLookup;
import dev.myelin.server.federation.discovery.WellKnownCache;
import dev.myelin.server.federation.transport.FederationHttp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Server name resolution, spec: server-server-api "Resolving server names", each step. */
class DiscoveryTest {
    private final Map<String, FederationHttp.Response> wellKnown = new HashMap<>();
    private final Map<String, SrvLookup.Target> srv = new HashMap<>();
    private final List<String> fetched = new ArrayList<>();
    private final MutableClock clock = new MutableClock();
    private final WellKnownCache cache = new WellKnownCache(this::fetch, clock);
    private final MatrixServerResolver resolver = new MatrixServerResolver(cache, name -> Optional.ofNullable(srv.get(name)));

    private FederationHttp.Response fetch(String serverName, URI uri) throws IOException {
        fetched.add(uri.toString());
        FederationHttp.Response response = wellKnown.get(uri.toString());
        if (response == null) {
            throw new IOException("connection refused");
        }
        return response;
    }

    private static FederationHttp.Response ok(String body, String... headers) {
        Map<String, List<String>> map = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], List.of(headers[i + 1]));
        }
        return new FederationHttp.Response(200, map, body.getBytes(StandardCharsets.UTF_8));
    }

    private static FederationHttp.Response redirect(String location) {
        return new FederationHttp.Response(301, Map.of("Location", List.of(location)), new byte[0]);
    }

    private static String url(String host) {
        return "https://" + host + "/.well-known/matrix/server";
    }

    @Test
    void ipLiteralsAreUsedAsTheyAreWithoutSni() throws Exception {
        assertThat(resolver.resolve("1.2.3.4")).isEqualTo(new Destination("1.2.3.4", 8448, "1.2.3.4", Optional.empty()));
        assertThat(resolver.resolve("[::1]:8449")).isEqualTo(new Destination("[::1]", 8449, "[::1]:8449", Optional.empty()));
        assertThat(fetched).isEmpty();
    }

    @Test
    void anExplicitPortSkipsWellKnownAndSrv() throws Exception {
        srv.put("_matrix-fed._tcp.example.org", new SrvLookup.Target("other.example.org", 1234));

        assertThat(resolver.resolve("example.org:8449"))
                .isEqualTo(new Destination("example.org", 8449, "example.org:8449", Optional.of("example.org")));
        assertThat(fetched).isEmpty();
    }

    @Test
    void wellKnownDelegatesToANameWithPort() throws Exception {
        wellKnown.put(url("example.org"), ok("{\"m.server\":\"matrix.example.org:443\"}"));

        assertThat(resolver.resolve("example.org"))
                .isEqualTo(new Destination("matrix.example.org", 443, "matrix.example.org:443", Optional.of("matrix.example.org")));
    }

    @Test
    void wellKnownDelegatesToAnIpLiteral() throws Exception {
        wellKnown.put(url("example.org"), ok("{\"m.server\":\"10.0.0.1\"}"));

        assertThat(resolver.resolve("example.org")).isEqualTo(new Destination("10.0.0.1", 8448, "10.0.0.1", Optional.empty()));
    }

    @Test
    void aDelegatedNameWithoutPortUsesItsSrvRecordsButKeepsItsNameForHostAndTls() throws Exception {
        wellKnown.put(url("example.org"), ok("{\"m.server\":\"matrix.example.org\"}"));
        srv.put("_matrix-fed._tcp.matrix.example.org", new SrvLookup.Target("node1.example.net", 9000));

        assertThat(resolver.resolve("example.org"))
                .isEqualTo(new Destination("node1.example.net", 9000, "matrix.example.org", Optional.of("matrix.example.org")));
    }

    @Test
    void withoutWellKnownTheSrvRecordsThenTheDeprecatedOnesThenPort8448AreUsed() throws Exception {
        srv.put("_matrix._tcp.legacy.example", new SrvLookup.Target("old.example.net", 8000));
        srv.put("_matrix-fed._tcp.new.example", new SrvLookup.Target("fed.example.net", 8001));
        srv.put("_matrix._tcp.new.example", new SrvLookup.Target("wrong.example.net", 1));

        assertThat(resolver.resolve("legacy.example"))
                .isEqualTo(new Destination("old.example.net", 8000, "legacy.example", Optional.of("legacy.example")));
        assertThat(resolver.resolve("new.example"))
                .isEqualTo(new Destination("fed.example.net", 8001, "new.example", Optional.of("new.example")));
        assertThat(resolver.resolve("plain.example"))
                .isEqualTo(new Destination("plain.example", 8448, "plain.example", Optional.of("plain.example")));
    }

    @Test
    void redirectsAreFollowedButNotInLoops() throws Exception {
        wellKnown.put(url("a.example"), redirect("https://b.example/somewhere"));
        wellKnown.put("https://b.example/somewhere", ok("{\"m.server\":\"c.example:1\"}"));
        wellKnown.put(url("loop.example"), redirect(url("loop2.example")));
        wellKnown.put(url("loop2.example"), redirect(url("loop.example")));

        assertThat(cache.delegated("a.example")).contains("c.example:1");
        assertThat(cache.delegated("loop.example")).isEmpty();
    }

    @Test
    void invalidAnswersCountAsNoDelegation() throws Exception {
        wellKnown.put(url("a.example"), ok("not json"));
        wellKnown.put(url("b.example"), ok("{\"m.server\":\"bad name!\"}"));
        wellKnown.put(url("c.example"), new FederationHttp.Response(404, Map.of(), "{\"m.server\":\"x.example\"}".getBytes()));
        wellKnown.put(url("d.example"), ok("{\"m.server\":42}"));

        for (String host : List.of("a.example", "b.example", "c.example", "d.example", "unreachable.example")) {
            assertThat(cache.delegated(host)).as(host).isEmpty();
        }
    }

    @Test
    void answersAreCachedForTheirMaxAgeOr24HoursAtMost48() throws Exception {
        wellKnown.put(url("default.example"), ok("{\"m.server\":\"x.example:1\"}"));
        wellKnown.put(url("short.example"), ok("{\"m.server\":\"x.example:1\"}", "Cache-Control", "public, max-age=60"));
        wellKnown.put(url("long.example"), ok("{\"m.server\":\"x.example:1\"}", "Cache-Control", "max-age=9999999"));
        for (String host : List.of("default.example", "short.example", "long.example")) {
            cache.delegated(host);
        }
        fetched.clear();

        clock.advance(Duration.ofSeconds(61));
        cache.delegated("short.example");
        cache.delegated("default.example");
        assertThat(fetched).containsExactly(url("short.example"));

        clock.advance(Duration.ofHours(24));
        cache.delegated("default.example");
        cache.delegated("long.example");
        assertThat(fetched).containsExactly(url("short.example"), url("default.example"));

        clock.advance(Duration.ofHours(24));
        cache.delegated("long.example");
        assertThat(fetched).endsWith(url("long.example"));
    }

    @Test
    void failuresAreCachedShorterAndBackOff() throws Exception {
        cache.delegated("down.example");
        clock.advance(Duration.ofMinutes(4));
        cache.delegated("down.example");
        assertThat(fetched).hasSize(1);

        clock.advance(Duration.ofMinutes(2));
        cache.delegated("down.example");
        assertThat(fetched).hasSize(2);

        // Second failure in a row: cached 10 minutes.
        clock.advance(Duration.ofMinutes(9));
        cache.delegated("down.example");
        assertThat(fetched).hasSize(2);
        clock.advance(Duration.ofMinutes(2));
        cache.delegated("down.example");
        assertThat(fetched).hasSize(3);
    }

    @Test
    void srvRecordsPreferLowPriorityThenHighWeight() {
        assertThat(SrvLookup.best(List.of("20 100 1 a.example.", "10 5 2 b.example.", "10 50 3 c.example.", "bad")))
                .contains(new SrvLookup.Target("c.example", 3));
        assertThat(SrvLookup.best(List.of("0 0 0 ."))).isEmpty();
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
