package dev.myelin.server.storage;

import dev.myelin.server.storage.sql.SqlServerMetaStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerMetaStoreTest extends StoreContractTest {

    private ServerMetaStore store() {
        return new SqlServerMetaStore(database);
    }

    @Test
    void aNewDatabaseHasNoServerName() {
        assertThat(store().serverName()).isEmpty();
    }

    @Test
    void theFirstClaimRecordsTheServerName() {
        store().claimServerName("example.org");

        assertThat(store().serverName()).contains("example.org");
    }

    @Test
    void theSameServerNameIsAcceptedAfterARestart() {
        store().claimServerName("example.org");
        reopen();

        store().claimServerName("example.org");

        assertThat(store().serverName()).contains("example.org");
    }

    @Test
    void anotherServerNameIsRefusedAfterARestart() {
        store().claimServerName("example.org");
        reopen();

        assertThatThrownBy(() -> store().claimServerName("other.example"))
                .isInstanceOfSatisfying(ServerNameMismatchException.class, e -> {
                    assertThat(e.stored()).isEqualTo("example.org");
                    assertThat(e.configured()).isEqualTo("other.example");
                });
        assertThat(store().serverName()).contains("example.org");
    }

    @Test
    void valuesAreStoredAndReplaced() {
        store().put("signing_key_id", "ed25519:a");
        store().put("signing_key_id", "ed25519:b");

        assertThat(store().get("signing_key_id")).contains("ed25519:b");
        assertThat(store().get("absent")).isEmpty();
    }

    @Test
    void theServerNameCannotBeOverwrittenThroughPut() {
        assertThatThrownBy(() -> store().put("server_name", "other.example"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
