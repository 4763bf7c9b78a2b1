package dev.myelin.server.user;

import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.RateLimit;
import dev.myelin.server.http.RateLimiter;
import dev.myelin.server.storage.AccountStore.Account;
import dev.myelin.server.storage.StoreContractTest;
import dev.myelin.server.storage.sql.SqlAccountStore;
import dev.myelin.server.storage.sql.SqlDeviceStore;
import dev.myelin.server.storage.sql.SqlRegistrationTokenStore;
import dev.myelin.spec.id.ServerName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Account service behaviour that HTTP cannot set up: accounts imported from Synapse with bcrypt hashes. */
class AccountServiceTest extends StoreContractTest {

    private AccountService service(SqlAccountStore accounts) {
        var devices = new SqlDeviceStore(database);
        var activity = new DeviceActivity(devices, Clock.systemUTC());
        var sessions = new SessionService(devices, activity, Clock.systemUTC(), 0, 300_000);
        var unlimited = new RateLimiter(RateLimit.UNLIMITED);
        return new AccountService(ServerName.parse("example.org"), accounts, new SqlRegistrationTokenStore(database),
                sessions, new PasswordHasher(), new AccountService.Limits(unlimited, unlimited, unlimited, unlimited),
                Clock.systemUTC(), 8, 120_000);
    }

    @Test
    void aBcryptPasswordFromSynapseLogsInAndIsUpgradedToArgon2id() {
        var accounts = new SqlAccountStore(database);
        accounts.create(new Account("@imported:example.org",
                Optional.of("$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"), false, false, false, 1),
                Optional.empty(), Optional.empty());
        var service = service(accounts);
        assertThatThrownBy(() -> service.checkPassword("imported", "wrong", "127.0.0.1"))
                .isInstanceOf(MatrixException.class);
        assertThat(service.checkPassword("imported", "U*U", "127.0.0.1")).isEqualTo("@imported:example.org");
        assertThat(accounts.find("@imported:example.org").orElseThrow().passwordHash().orElseThrow())
                .startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(service.checkPassword("@imported:example.org", "U*U", "127.0.0.1")).isEqualTo("@imported:example.org");
    }
}
