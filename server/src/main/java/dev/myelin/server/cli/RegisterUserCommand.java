package dev.myelin.server.cli;

import dev.myelin.server.Accounts;
import dev.myelin.server.Homeserver;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.sql.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.Console;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * Creates an account without HTTP: opens the configured database directly (the server may be running; SQLite and
 * PostgreSQL both allow a second writer process).
 */
@Command(name = "register-user", mixinStandardHelpOptions = true,
        description = "Create a user account (works whatever registration.mode says).")
public final class RegisterUserCommand implements Callable<Integer> {
    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME",
            description = "The user's localpart (alice) or full id (@alice:example.org).")
    String user;

    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
            description = "The password (prompted for when omitted; beware shell history).")
    String password;

    @Option(names = "--password-file", paramLabel = "FILE", description = "Read the password from the first line of FILE.")
    java.nio.file.Path passwordFile;

    @Option(names = "--admin", description = "Make the user a server admin.")
    boolean admin;

    @Override
    public Integer call() throws Exception {
        var config = instance.loadConfig();
        String secret = password;
        if (secret == null && passwordFile != null) {
            secret = java.nio.file.Files.readAllLines(passwordFile).stream().findFirst().orElse("");
        }
        if (secret == null) {
            Console console = System.console();
            if (console == null) {
                throw new IllegalArgumentException("no password given and no terminal to ask for one (use --password-file)");
            }
            char[] first = console.readPassword("Password: ");
            char[] second = console.readPassword("Again: ");
            if (first == null || second == null || !new String(first).equals(new String(second))) {
                throw new IllegalArgumentException("passwords do not match");
            }
            secret = new String(first);
        }
        try (Database database = Database.open(Homeserver.databaseSettings(config.database()));
             Accounts accounts = Accounts.create(config, database, Clock.systemUTC())) {
            new dev.myelin.server.storage.sql.SqlServerMetaStore(database).claimServerName(config.serverName());
            String userId = accounts.accounts().createByOperator(user, secret, admin);
            System.out.println("Created " + userId + (admin ? " (admin)" : ""));
            return 0;
        } catch (MatrixException e) {
            System.err.println("myelin: cannot create " + user + ": " + e.getMessage() + " (" + e.errcode() + ")");
            return 1;
        }
    }
}
