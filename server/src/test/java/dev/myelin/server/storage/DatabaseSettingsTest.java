package dev.myelin.server.storage;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseSettingsTest {

    @Test
    void sqliteNeedsAPath() {
        assertThatThrownBy(() -> new DatabaseSettings(DatabaseSettings.Kind.SQLITE, null, null, null, null, 4))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("SQLite");
    }

    @Test
    void postgresNeedsAPostgresJdbcUrl() {
        assertThatThrownBy(() -> DatabaseSettings.postgres("jdbc:mysql://localhost/x", "u", "p", 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql:");
    }

    @Test
    void thePoolNeedsAConnection() {
        assertThatThrownBy(() -> DatabaseSettings.postgres("jdbc:postgresql://localhost/x", "u", "p", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringHidesThePassword() {
        assertThat(DatabaseSettings.postgres("jdbc:postgresql://localhost/x", "myelin", "hunter2", 10).toString())
                .contains("myelin").doesNotContain("hunter2");
        assertThat(DatabaseSettings.sqlite(Path.of("data/myelin.db")).toString()).contains("data/myelin.db");
    }
}
