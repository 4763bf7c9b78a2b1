package dev.myelin.server.media;

/** An image that cannot be thumbnailed: too large by its header, or not decodable. */
public final class ThumbnailException extends Exception {
    private final boolean tooLarge;

    public ThumbnailException(boolean tooLarge, String message) {
        super(message, null, false, false);
        this.tooLarge = tooLarge;
    }

    public boolean tooLarge() {
        return tooLarge;
    }
}
