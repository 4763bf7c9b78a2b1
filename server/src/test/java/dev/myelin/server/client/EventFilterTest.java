package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventFilterTest {
    private static Pdu event(String type, String sender) {
        ObjectNode json = Json.MAPPER.createObjectNode().put("type", type).put("sender", sender);
        return new Pdu("$e", RoomVersion.V12, json);
    }

    @Test
    void typesWithWildcardsAndSenders() {
        EventFilter filter = EventFilter.parse(Optional.of(
                "{\"types\":[\"m.room.*\"],\"not_types\":[\"m.room.member\"],\"not_senders\":[\"@spam:x\"],\"limit\":5}"));
        assertThat(filter.matches(event("m.room.message", "@a:x"))).isTrue();
        assertThat(filter.matches(event("m.room.member", "@a:x"))).isFalse();
        assertThat(filter.matches(event("m.reaction", "@a:x"))).isFalse();
        assertThat(filter.matches(event("m.room.message", "@spam:x"))).isFalse();
        assertThat(filter.limit()).contains(5);
        EventFilter senders = EventFilter.parse(Optional.of("{\"senders\":[\"@a:x\"]}"));
        assertThat(senders.matches(event("m.room.message", "@a:x"))).isTrue();
        assertThat(senders.matches(event("m.room.message", "@b:x"))).isFalse();
    }

    @Test
    void noFilterOrAFilterIdMatchesEverything() {
        assertThat(EventFilter.parse(Optional.empty()).matches(event("x", "@a:x"))).isTrue();
        assertThat(EventFilter.parse(Optional.of("12")).matches(event("x", "@a:x"))).isTrue();
        assertThatThrownBy(() -> EventFilter.parse(Optional.of("{nope"))).isInstanceOf(MatrixException.class);
    }

    @Test
    void paginationTokensAreStreamPositions() {
        assertThat(RoomEndpoints.parseToken(RoomEndpoints.token(42))).isEqualTo(42);
        assertThat(RoomEndpoints.parseToken("17")).isEqualTo(17);
        assertThatThrownBy(() -> RoomEndpoints.parseToken("t")).isInstanceOf(MatrixException.class);
        assertThatThrownBy(() -> RoomEndpoints.parseToken("s99999999999999999999")).isInstanceOf(MatrixException.class);
    }
}
