package dev.myelin.server.sync;

import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.StreamName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyncTokenTest {
    private static final StreamName TO_DEVICE = StreamName.of("to_device");
    private static final StreamName TYPING = StreamName.of("typing");

    @Test
    void aSyncTokenCarriesAPositionPerStream() {
        var token = new SyncToken(120, Map.of(TYPING, 4L, TO_DEVICE, 9L));
        assertThat(token.serialize()).isEqualTo("s120~to_device.9~typing.4");
        SyncToken parsed = SyncToken.parse(token.serialize());
        assertThat(parsed).isEqualTo(token);
        assertThat(parsed.position(StreamName.of("receipts"))).isZero();
    }

    @Test
    void paginationTokensAreEventsPositionsAndASyncTokenIsOneToo() {
        assertThat(SyncToken.eventsPosition(SyncToken.at(42).serialize())).isEqualTo(42);
        assertThat(SyncToken.eventsPosition("s120~typing.4")).isEqualTo(120);
        assertThat(SyncToken.eventsPosition("17")).isEqualTo(17);
        assertThatThrownBy(() -> SyncToken.eventsPosition("t")).isInstanceOf(MatrixException.class);
        assertThatThrownBy(() -> SyncToken.eventsPosition("s99999999999999999999"))
                .isInstanceOf(MatrixException.class);
        assertThatThrownBy(() -> SyncToken.parse("s1~typing")).isInstanceOf(MatrixException.class);
        assertThatThrownBy(() -> SyncToken.parse("s-1")).isInstanceOf(MatrixException.class);
    }
}
