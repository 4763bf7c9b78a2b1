package dev.myelin.server.cli;

import dev.myelin.server.Main;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlAccountStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RegisterUserCommandTest {
    @TempDir
    Path dir;

    private int run(String... args) {
        var command = new CommandLine(new Main());
        command.setErr(new PrintWriter(new StringWriter()));
        return command.execute(args);
    }

    @Test
    void createsAnAdminInTheConfiguredDatabase() {
        int exit = run("register-user", "--data-dir", dir.toString(), "--server-name", "cli.test",
                "--user", "root", "--password", "long-password", "--admin");
        assertThat(exit).isZero();
        assertThat(run("register-user", "--data-dir", dir.toString(), "-u", "@bob:cli.test", "-p", "long-password")).isZero();
        assertThat(run("register-user", "--data-dir", dir.toString(), "-u", "root", "-p", "long-password")).isEqualTo(1);
        assertThat(run("register-user", "--data-dir", dir.toString(), "-u", "Bad Name", "-p", "long-password")).isEqualTo(1);
        assertThat(run("register-user", "--data-dir", dir.toString(), "-u", "carol", "-p", "short")).isEqualTo(1);
        try (Database database = Database.open(DatabaseSettings.sqlite(dir.resolve("myelin.db")))) {
            var accounts = new SqlAccountStore(database);
            var root = accounts.find("@root:cli.test").orElseThrow();
            assertThat(root.admin()).isTrue();
            assertThat(root.passwordHash().orElseThrow()).startsWith("$argon2id$");
            assertThat(accounts.find("@bob:cli.test").orElseThrow().admin()).isFalse();
            assertThat(accounts.find("@carol:cli.test")).isEmpty();
        }
    }
}
