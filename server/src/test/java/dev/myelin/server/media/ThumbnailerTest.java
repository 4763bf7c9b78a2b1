package dev.myelin.server.media;

import dev.myelin.server.testing.MediaTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThumbnailerTest {
    @TempDir
    Path dir;

    @Test
    void geometryFollowsTheSpecAndNeverUpscales() {
        // scale fits inside
        assertThat(ThumbnailGeometry.of(4000, 3000, 320, 240, false)).extracting("width", "height").containsExactly(320, 240);
        assertThat(ThumbnailGeometry.of(4000, 2000, 320, 240, false)).extracting("width", "height").containsExactly(320, 160);
        assertThat(ThumbnailGeometry.of(100, 50, 320, 240, false)).extracting("width", "height").containsExactly(100, 50);
        // crop gives the requested aspect, centred
        var crop = ThumbnailGeometry.of(4000, 3000, 96, 96, true);
        assertThat(crop).extracting("width", "height", "regionX", "regionWidth", "regionHeight")
                .containsExactly(96, 96, 500, 3000, 3000);
        // crop larger than the image: the requested aspect at the image's size, not upscaled
        var small = ThumbnailGeometry.of(200, 100, 400, 400, true);
        assertThat(small).extracting("width", "height").containsExactly(100, 100);
        var tall = ThumbnailGeometry.of(50, 1000, 96, 96, true);
        assertThat(tall).extracting("width", "height").containsExactly(50, 50);
    }

    @Test
    void decompressionBombsAreRefusedFromTheHeader() throws Exception {
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, MediaTestSupport.pngBomb(100_000, 100_000));
        assertThat(ImageProbe.probe(bomb)).hasValueSatisfying(info -> assertThat(info.pixels()).isEqualTo(10_000_000_000L));
        long start = System.nanoTime();
        assertThatThrownBy(() -> new Thumbnailer(32_000_000).make(bomb, new Thumbnailer.Size(32, 32, true)))
                .isInstanceOfSatisfying(ThumbnailException.class, e -> assertThat(e.tooLarge()).isTrue());
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
    }

    @Test
    void makesJpegForPhotosAndPngForTransparency() throws Exception {
        Path photo = dir.resolve("photo.jpg");
        Files.write(photo, MediaTestSupport.jpeg(4000, 3000));
        var made = new Thumbnailer(32_000_000).make(photo, new Thumbnailer.Size(800, 600, false));
        assertThat(made.contentType()).isEqualTo("image/jpeg");
        assertThat(MediaTestSupport.decode(made.bytes()).getWidth()).isEqualTo(800);

        Path clear = dir.resolve("clear.png");
        Files.write(clear, MediaTestSupport.png(300, 300, true));
        var png = new Thumbnailer(32_000_000).make(clear, new Thumbnailer.Size(32, 32, true));
        assertThat(png.contentType()).isEqualTo("image/png");

        Path garbage = dir.resolve("garbage");
        Files.write(garbage, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
        assertThatThrownBy(() -> new Thumbnailer(32_000_000).make(garbage, new Thumbnailer.Size(32, 32, true)))
                .isInstanceOfSatisfying(ThumbnailException.class, e -> assertThat(e.tooLarge()).isFalse());
    }

    /** A JPEG with an EXIF APP1 segment giving the orientation. */
    static byte[] withOrientation(byte[] jpeg, int orientation) {
        var exif = java.nio.ByteBuffer.allocate(36)
                .put(new byte[]{(byte) 0xFF, (byte) 0xE1}).putShort((short) 34)
                .put(new byte[]{'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42}).putInt(8)
                .putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1)
                .putShort((short) orientation).putShort((short) 0).putInt(0);
        var out = new java.io.ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(exif.array());
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    @Test
    void exifOrientationTurnsThumbnailsUpright() throws Exception {
        // Stored 400 wide and 200 high, to be shown turned a quarter: 200 wide, 400 high.
        Path sideways = dir.resolve("sideways.jpg");
        Files.write(sideways, withOrientation(MediaTestSupport.jpeg(400, 200), 6));
        assertThat(ExifOrientation.read(sideways)).isEqualTo(6);
        assertThat(ImageProbe.probe(sideways)).hasValueSatisfying(info -> {
            assertThat(info.width()).isEqualTo(200);
            assertThat(info.height()).isEqualTo(400);
        });
        var made = new Thumbnailer(32_000_000).make(sideways, new Thumbnailer.Size(100, 100, false));
        var image = MediaTestSupport.decode(made.bytes());
        assertThat(image.getWidth()).isEqualTo(50);
        assertThat(image.getHeight()).isEqualTo(100);

        var pixels = new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
        pixels.setRGB(0, 0, 0xFF0000);
        var turned = ExifOrientation.apply(pixels, 6);
        assertThat(turned.getWidth()).isEqualTo(2);
        assertThat(turned.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(ExifOrientation.apply(pixels, 8).getRGB(0, 2) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(ExifOrientation.apply(pixels, 3).getRGB(2, 1) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(ExifOrientation.read(MediaTestSupport.jpeg(10, 10))).isEqualTo(1);
    }

    @Test
    void webpIsReadableWithoutNativeCode() {
        assertThat(ImageProbe.webpReadable()).isTrue();
    }
}
