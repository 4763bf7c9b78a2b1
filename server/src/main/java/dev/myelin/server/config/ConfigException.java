package dev.myelin.server.config;

/** A configuration problem, worded for the operator: it names the key and what was expected. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
