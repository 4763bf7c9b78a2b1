package dev.myelin.server.cli;

import dev.myelin.server.config.ConfigLoader;
import dev.myelin.server.config.ConfigTemplate;
import dev.myelin.server.config.MyelinConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Options every command shares to find its instance: the config file (or the data folder holding
 * it), quick overrides for side-by-side instances, and any key with --set.
 */
public final class InstanceOptions {
    static final String CONFIG_FILE_NAME = "myelin.yaml";

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: <data-dir>/myelin.yaml; created if missing).")
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data", description = "Folder for the config, database, keys and media (default: ./data).")
    Path dataDir;

    @Option(names = "--server-name", paramLabel = "NAME", description = "Server name (used when creating the config, and overrides it).")
    String serverName;

    @Option(names = "--port", paramLabel = "N", description = "Port of the first listener (overrides the config).")
    Integer port;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any config key, e.g. --set database.kind=postgres (repeatable).")
    List<String> overrides = new ArrayList<>();

    public Path configFile() {
        return configFile != null ? configFile : dataDir.resolve(CONFIG_FILE_NAME);
    }

    /** Loads the config, writing a commented default one first if none exists. */
    public MyelinConfig loadConfig() throws IOException {
        Path file = configFile();
        if (ConfigTemplate.writeIfMissing(file, serverName != null ? serverName : "localhost", port != null ? port : 8008)) {
            System.err.println("myelin: created config file " + file.toAbsolutePath() + " (edit it, then restart)");
        }
        var all = new ArrayList<String>();
        if (serverName != null) {
            all.add("server_name=" + serverName);
        }
        if (port != null) {
            all.add("listeners.0.port=" + port);
        }
        all.addAll(overrides);
        return ConfigLoader.load(file, all);
    }
}
