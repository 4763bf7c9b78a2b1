package dev.myelin.server.http;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    private static final Endpoint A = request -> MatrixResponse.empty();
    private static final Endpoint B = request -> MatrixResponse.empty();

    @Test
    void literalSegmentsWinOverParameters() {
        var router = new Router()
                .add("GET", "/rooms/{roomId}/state", A)
                .add("GET", "/rooms/joined/state", B);
        assertThat(router.match("GET", "/rooms/joined/state"))
                .isEqualTo(new RouteMatch.Found(router.routes().get(1), Map.of()));
        assertThat(router.match("GET", "/rooms/!abc:x/state"))
                .isEqualTo(new RouteMatch.Found(router.routes().get(0), Map.of("roomId", "!abc:x")));
    }

    @Test
    void parametersArePercentDecodedPerSegmentKeepingEncodedSlashes() {
        var router = new Router().add("PUT", "/rooms/{roomId}/state/{eventType}/{stateKey}", A);
        var match = (RouteMatch.Found) router.match("PUT", "/rooms/%21r%3Aexample.org/state/m.room.member/a%2Fb+c");
        assertThat(match.params()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "roomId", "!r:example.org", "eventType", "m.room.member", "stateKey", "a/b+c"));
    }

    @Test
    void aTrailingSlashIsAnEmptyParameter() {
        var router = new Router()
                .add("GET", "/state/{eventType}/{stateKey}", A)
                .add("GET", "/state/{eventType}", B);
        var withEmptyKey = (RouteMatch.Found) router.match("GET", "/state/m.room.name/");
        assertThat(withEmptyKey.params()).containsEntry("stateKey", "");
        var withoutKey = (RouteMatch.Found) router.match("GET", "/state/m.room.name");
        assertThat(withoutKey.route().endpoint()).isSameAs(B);
    }

    @Test
    void wrongMethodIsDistinguishedFromUnknownPath() {
        var router = new Router().add("GET", "/a/{x}", A).add("PUT", "/a/{x}", B);
        assertThat(router.match("POST", "/a/1")).isEqualTo(new RouteMatch.WrongMethod(Set.of("GET", "PUT")));
        assertThat(router.match("GET", "/a/1/2")).isInstanceOf(RouteMatch.NotFound.class);
        assertThat(router.match("GET", "/b")).isInstanceOf(RouteMatch.NotFound.class);
    }

    @Test
    void headIsAnsweredByGet() {
        var router = new Router().add("GET", "/x", A);
        assertThat(router.match("HEAD", "/x")).isInstanceOf(RouteMatch.Found.class);
    }

    @Test
    void oneRouteServesEveryPrefix() {
        var router = new Router().add("GET", Router.CLIENT_V3_AND_R0, "/capabilities", A);
        assertThat(router.match("GET", "/_matrix/client/v3/capabilities")).isInstanceOf(RouteMatch.Found.class);
        assertThat(router.match("GET", "/_matrix/client/r0/capabilities")).isInstanceOf(RouteMatch.Found.class);
        assertThat(router.match("GET", "/_matrix/client/v1/capabilities")).isInstanceOf(RouteMatch.NotFound.class);
    }
}
