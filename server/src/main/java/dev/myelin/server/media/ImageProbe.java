package dev.myelin.server.media;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;

/** Reads an image's format and dimensions from its header only, without decoding any pixels. */
public final class ImageProbe {
    private ImageProbe() {
    }

    /** What the header of an image says. */
    public record ImageInfo(String formatName, int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    public static Optional<ImageInfo> probe(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                return Optional.empty();
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return Optional.empty();
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    return Optional.empty();
                }
                String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
                if (format.equals("jpeg") && ExifOrientation.swapsSides(ExifOrientation.read(file))) {
                    // The size as displayed: a photo stored sideways shows turned a quarter.
                    return Optional.of(new ImageInfo(format, height, width));
                }
                return Optional.of(new ImageInfo(format, width, height));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** Whether ImageIO can read WebP here (a pure-Java reader plugin on the class path). */
    public static boolean webpReadable() {
        return ImageIO.getImageReadersByMIMEType("image/webp").hasNext();
    }
}
