package dev.myelin.server.storage;

import java.util.Optional;

/** Facts about the server itself that must survive restarts. */
public interface ServerMetaStore {

    /**
     * Binds the database to a server name: the first start records it, later starts must present the same one.
     * A database created for one server name must never serve another (user ids and signatures embed it).
     *
     * @throws ServerNameMismatchException if the database was created for a different server name
     */
    void claimServerName(String serverName);

    /** The server name the database was created for, if any start has claimed it. */
    Optional<String> serverName();

    Optional<String> get(String key);

    void put(String key, String value);
}
