package dev.myelin.server.storage;

/** Start-up with a server name other than the one the database was created for. */
public final class ServerNameMismatchException extends RuntimeException {
    private final String stored;
    private final String configured;

    public ServerNameMismatchException(String stored, String configured) {
        super("the database was created for server name '" + stored + "' but the configuration says '" + configured
                + "'; a server name cannot change once users and rooms exist");
        this.stored = stored;
        this.configured = configured;
    }

    public String stored() {
        return stored;
    }

    public String configured() {
        return configured;
    }
}
