package dev.myelin.server.cli;

import dev.myelin.server.Main;
import dev.myelin.server.config.MyelinConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher's options, as the `myelin` command parses them. */
class InstanceOptionsTest {
    @TempDir
    Path dir;

    private InstanceOptions parse(String... args) {
        var options = new InstanceOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void aFirstStartWritesTheConfigIntoTheDataDirWithTheQuickSettings() throws Exception {
        Path data = dir.resolve("data");
        MyelinConfig config = parse("--data-dir", data.toString(), "--server-name", "example.org", "--port", "8123")
                .loadConfig();
        assertThat(data.resolve("myelin.yaml")).exists();
        assertThat(Files.readString(data.resolve("myelin.yaml"))).contains("server_name: \"example.org\"", "port: 8123");
        assertThat(config.serverName()).isEqualTo("example.org");
        assertThat(config.listeners().getFirst().port()).isEqualTo(8123);
        assertThat(config.database().sqlitePath()).isEqualTo(data.resolve("myelin.db").toAbsolutePath());
    }

    @Test
    void quickSettingsAndSetOverrideAnExistingConfig() throws Exception {
        Path data = dir.resolve("data");
        parse("--data-dir", data.toString()).loadConfig();
        MyelinConfig config = parse("--data-dir", data.toString(), "--port", "9001",
                "--set", "registration.mode=open", "--set", "log_level=debug").loadConfig();
        assertThat(config.serverName()).isEqualTo("localhost");
        assertThat(config.listeners().getFirst().port()).isEqualTo(9001);
        assertThat(config.registration().mode()).isEqualTo(MyelinConfig.RegistrationMode.OPEN);
        assertThat(config.logLevel()).isEqualTo("debug");
    }

    @Test
    void anExplicitConfigFileIsUsedWhereverItLives() throws Exception {
        Path file = dir.resolve("etc/custom.yaml");
        MyelinConfig config = parse("--config", file.toString(), "--server-name", "custom.example").loadConfig();
        assertThat(file).exists();
        assertThat(config.signingKeyPath()).isEqualTo(dir.resolve("etc/signing.key").toAbsolutePath());
    }

    @Test
    void aConfigErrorEndsTheCommandWithExitCodeOneAndTheKeyNamed() {
        var err = new java.io.StringWriter();
        var commandLine = Main.commandLine();
        commandLine.setErr(new java.io.PrintWriter(err, true));
        int exit = commandLine.execute("--data-dir", dir.resolve("d").toString(), "--set", "nonsense_key=1");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("Unknown key 'nonsense_key'");
    }
}
