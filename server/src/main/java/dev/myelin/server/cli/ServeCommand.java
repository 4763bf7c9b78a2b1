package dev.myelin.server.cli;

import dev.myelin.server.Homeserver;
import dev.myelin.server.config.ConfigException;
import dev.myelin.server.logging.LogLevels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.CountDownLatch;

/** Runs the homeserver until the process is asked to stop (SIGTERM or Ctrl-C). */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the homeserver (the default).")
public final class ServeCommand implements Runnable {
    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Override
    public void run() {
        serve(instance);
    }

    public static void serve(InstanceOptions instance) {
        try {
            var config = instance.loadConfig();
            LogLevels.apply(config.logLevel());
            var homeserver = Homeserver.start(config);
            var stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    homeserver.close();
                } catch (Exception e) {
                    System.err.println("myelin: error while stopping: " + e);
                } finally {
                    stopped.countDown();
                }
            }, "shutdown"));
            stopped.await();
        } catch (ConfigException e) {
            throw new IllegalStateException("configuration error: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }
}
