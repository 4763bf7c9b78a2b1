package dev.myelin.server.storage;

/** A database failure: the transaction it happened in was rolled back. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
