package dev.myelin.server.media.jpeg;

import java.io.IOException;

/** The file is not a JPEG this decoder can read (malformed, or a form it leaves to ImageIO). */
public final class JpegFormatException extends IOException {
    public JpegFormatException(String message) {
        super(message);
    }
}
