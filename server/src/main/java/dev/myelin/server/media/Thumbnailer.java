package dev.myelin.server.media;

import dev.myelin.server.media.jpeg.JpegScaledDecoder;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Makes thumbnails with the JDK's ImageIO (JPEG, PNG, GIF, BMP, and WebP when a pure-Java reader is on the class
 * path). The header is read first and images over the pixel limit are refused before any decoding (decompression
 * bombs). Baseline JPEGs are decoded at 1/2, 1/4 or 1/8 scale in the DCT domain ({@link JpegScaledDecoder}); other
 * large downscales decode with source subsampling, so a 12-megapixel photo is never fully expanded in memory.
 * Output is JPEG, or PNG when the image has transparency. SVG and other formats are never rendered.
 */
public final class Thumbnailer {
    /** Decode at least this many times the output size before the final area-averaging downscale. */
    private static final int HEADROOM = 2;
    private static final float JPEG_QUALITY = 0.85f;

    private final long maxPixels;

    public Thumbnailer(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /** A thumbnail made: its bytes and type, and the size asked for (the key it is cached under). */
    public record Made(int requestedWidth, int requestedHeight, boolean crop, byte[] bytes, String contentType,
                       int width, int height) {
    }

    /** A requested size. */
    public record Size(int width, int height, boolean crop) {
    }

    public Made make(Path file, Size size) throws ThumbnailException {
        return make(file, List.of(size)).getFirst();
    }

    /** Makes several sizes from one decode of the file (used when an image is uploaded). */
    public List<Made> make(Path file, List<Size> sizes) throws ThumbnailException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ThumbnailException(false, "Cannot read the image");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ThumbnailException(false, "Cannot generate thumbnails for this content type");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int storedWidth = reader.getWidth(0);
                int storedHeight = reader.getHeight(0);
                if ((long) storedWidth * storedHeight > maxPixels) {
                    throw new ThumbnailException(true, "Content is too large to thumbnail ("
                            + storedWidth + "x" + storedHeight + " pixels)");
                }
                // Sizes below are as displayed: a photo stored sideways is turned by its EXIF orientation.
                int orientation = reader.getFormatName().equalsIgnoreCase("jpeg") ? ExifOrientation.read(file) : 1;
                boolean swap = ExifOrientation.swapsSides(orientation);
                int sourceWidth = swap ? storedHeight : storedWidth;
                int sourceHeight = swap ? storedWidth : storedHeight;
                var geometries = new ArrayList<ThumbnailGeometry>();
                int subsampling = Integer.MAX_VALUE;
                for (Size size : sizes) {
                    var geometry = ThumbnailGeometry.of(sourceWidth, sourceHeight, size.width(), size.height(),
                            size.crop());
                    geometries.add(geometry);
                    subsampling = Math.min(subsampling, Math.max(1, Math.min(
                            geometry.regionWidth() / (HEADROOM * geometry.width()),
                            geometry.regionHeight() / (HEADROOM * geometry.height()))));
                }
                BufferedImage stored = null;
                int dctScale = reader.getFormatName().equalsIgnoreCase("jpeg") ? dctScale(geometries) : 1;
                if (dctScale > 1) {
                    stored = decodeScaled(file, dctScale);
                }
                if (stored != null) {
                    subsampling = dctScale;
                } else {
                    ImageReadParam param = reader.getDefaultReadParam();
                    param.setSourceSubsampling(subsampling, subsampling, 0, 0);
                    stored = reader.read(0, param);
                }
                BufferedImage decoded = ExifOrientation.apply(stored, orientation);
                var made = new ArrayList<Made>();
                for (int i = 0; i < sizes.size(); i++) {
                    made.add(render(decoded, subsampling, geometries.get(i), sizes.get(i)));
                }
                return made;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ThumbnailException(false, "Cannot generate thumbnails for the requested content");
        }
    }

    /**
     * The largest factor (8, 4 or 2; 1 for none) by which the JPEG can be decoded in the DCT domain and still hold
     * every thumbnail's region at its full output size. That decode is an area average, so it needs no headroom
     * against aliasing as point subsampling does.
     */
    private static int dctScale(List<ThumbnailGeometry> geometries) {
        for (int scale = 8; scale > 1; scale /= 2) {
            boolean fits = true;
            for (ThumbnailGeometry g : geometries) {
                fits &= g.regionWidth() / scale >= g.width() && g.regionHeight() / scale >= g.height();
            }
            if (fits) {
                return scale;
            }
        }
        return 1;
    }

    /** The JPEG decoded at 1/scale in the DCT domain, or null when it is a form left to ImageIO. */
    private static BufferedImage decodeScaled(Path file, int scale) {
        try {
            return JpegScaledDecoder.decode(file, scale);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Made render(BufferedImage decoded, int subsampling, ThumbnailGeometry g, Size size)
            throws IOException {
        int x = Math.min(g.regionX() / subsampling, decoded.getWidth() - 1);
        int y = Math.min(g.regionY() / subsampling, decoded.getHeight() - 1);
        int w = Math.max(1, Math.min(g.regionWidth() / subsampling, decoded.getWidth() - x));
        int h = Math.max(1, Math.min(g.regionHeight() / subsampling, decoded.getHeight() - y));
        BufferedImage region = decoded.getSubimage(x, y, w, h);
        boolean alpha = decoded.getColorModel().hasAlpha();
        BufferedImage scaled = AreaAverageScaler.scale(region, g.width(), g.height(), alpha);
        byte[] bytes = alpha ? png(scaled) : jpeg(scaled);
        return new Made(size.width(), size.height(), size.crop(), bytes, alpha ? "image/png" : "image/jpeg",
                scaled.getWidth(), scaled.getHeight());
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        var out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = memoryStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static byte[] png(BufferedImage image) throws IOException {
        var out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = memoryStream(out)) {
            if (!ImageIO.write(image, "png", stream)) {
                throw new IOException("No PNG writer");
            }
        }
        return out.toByteArray();
    }

    /**
     * A stream that buffers in memory. {@link ImageIO#createImageOutputStream} would, by ImageIO's default, cache
     * through a temporary file: a file created, written, read back and deleted for every thumbnail.
     */
    private static ImageOutputStream memoryStream(ByteArrayOutputStream out) {
        return new MemoryCacheImageOutputStream(out);
    }
}
