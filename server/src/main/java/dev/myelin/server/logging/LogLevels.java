package dev.myelin.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Applies the configured log level to the root logger. */
public final class LogLevels {
    private LogLevels() {
    }

    public static void apply(String level) {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.toLevel(level, Level.INFO));
    }
}
