package dev.myelin.server.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temp directory, on a free loopback port, without
 * fsync. PostgreSQL refuses to run as root, so as root it runs as the {@code postgres} user (or {@code nobody}).
 */
final class PostgresServerProcess {
    private static final Logger log = LoggerFactory.getLogger(PostgresServerProcess.class);
    static final String SUPERUSER = "myelin";

    private final Path dir;
    private final Process process;
    private final int port;

    private PostgresServerProcess(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    static PostgresServerProcess start(Path bin) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Path dir = Files.createTempDirectory("myelin-postgres-");
        List<String> asUser = unprivilegedPrefix(dir);
        Path data = dir.resolve("data");
        Path logFile = dir.resolve("postgres.log");
        run(dir, logFile, command(asUser, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
                "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"));
        int port = freePort();
        Process process = new ProcessBuilder(command(asUser, bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=300"))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        PostgresServerProcess server = new PostgresServerProcess(dir, process, port);
        server.awaitReady(logFile);
        log.info("test PostgreSQL on port {} ready in {} ms", port, (System.nanoTime() - started) / 1_000_000);
        return server;
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Fast shutdown (SIGINT), then removes the cluster. */
    void stop() {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            deleteRecursively(dir);
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    private void awaitReady(Path logFile) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("test PostgreSQL exited: " + Files.readString(logFile));
            }
            try {
                DriverManager.getConnection(url("postgres"), SUPERUSER, "").close();
                return;
            } catch (SQLException notYet) {
                Thread.sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("test PostgreSQL did not start in 30 s: " + Files.readString(logFile));
    }

    /** As root: run as postgres (or nobody) and hand the directory to that user. */
    private static List<String> unprivilegedPrefix(Path dir) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return List.of();
        }
        String user = output("id", "-u", "postgres") != null ? "postgres" : "nobody";
        int uid = Integer.parseInt(output("id", "-u", user));
        int gid = Integer.parseInt(output("id", "-g", user));
        Files.setAttribute(dir, "unix:uid", uid);
        Files.setAttribute(dir, "unix:gid", gid);
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }

    private static List<String> command(List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(args));
        return command;
    }

    private static void run(Path dir, Path logFile, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(logFile));
        }
    }

    /** The trimmed standard output of a command, or null if it failed. */
    private static String output(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        return process.waitFor() == 0 ? out : null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
