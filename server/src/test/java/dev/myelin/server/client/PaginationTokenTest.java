package dev.myelin.server.client;

import dev.myelin.server.http.MatrixException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PaginationTokenTest {
    @Test
    void paginationTokensAreStreamPositions() {
        assertThat(RoomEndpoints.parseToken(RoomEndpoints.token(42))).isEqualTo(42);
        assertThat(RoomEndpoints.parseToken("17")).isEqualTo(17);
        assertThatThrownBy(() -> RoomEndpoints.parseToken("t")).isInstanceOf(MatrixException.class);
        assertThatThrownBy(() -> RoomEndpoints.parseToken("s99999999999999999999")).isInstanceOf(MatrixException.class);
    }
}
