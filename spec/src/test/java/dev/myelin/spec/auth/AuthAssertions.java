package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checks an event against its own auth events (receipt check 4), as most rule tests need. */
final class AuthAssertions {
    private AuthAssertions() {}

    static void assertAllowed(RoomGraph graph, Pdu event) {
        assertAllowed(RoomGraph.AUTHORIZER, graph, event);
    }

    static void assertAllowed(EventAuthorizer authorizer, RoomGraph graph, Pdu event) {
        assertThatCode(() -> authorizer.authorizeByAuthEvents(event, graph.lookup()))
                .as("%s in room version %s", event, graph.version().id())
                .doesNotThrowAnyException();
    }

    static void assertRejected(RoomGraph graph, Pdu event, AuthRule rule) {
        assertRejected(RoomGraph.AUTHORIZER, graph, event, rule);
    }

    static void assertRejected(EventAuthorizer authorizer, RoomGraph graph, Pdu event, AuthRule rule) {
        assertThatThrownBy(() -> authorizer.authorizeByAuthEvents(event, graph.lookup()))
                .as("%s in room version %s", event, graph.version().id())
                .isInstanceOfSatisfying(AuthorizationException.class, e ->
                        org.assertj.core.api.Assertions.assertThat(e.rule()).isEqualTo(rule));
    }
}
