package dev.myelin.server.media;

/**
 * The spec's thumbnail arithmetic (content repo "Thumbnails"), never upscaling: {@code scale} keeps the aspect ratio
 * and fits inside the requested box; {@code crop} gives the requested aspect ratio, cut from the middle of the image.
 *
 * @param regionX the part of the source image used (the whole image for scale)
 * @param width   the thumbnail's size
 */
public record ThumbnailGeometry(int regionX, int regionY, int regionWidth, int regionHeight, int width, int height) {

    /** Whether the source is no larger than the request, in which case the original itself is served. */
    public static boolean fitsAlready(int sourceWidth, int sourceHeight, int width, int height) {
        return sourceWidth <= width && sourceHeight <= height;
    }

    public static ThumbnailGeometry of(int sourceWidth, int sourceHeight, int width, int height, boolean crop) {
        if (!crop) {
            if (fitsAlready(sourceWidth, sourceHeight, width, height)) {
                return new ThumbnailGeometry(0, 0, sourceWidth, sourceHeight, sourceWidth, sourceHeight);
            }
            // Fit inside width x height: one side matches, the other is smaller (never upscaled).
            if ((long) width * sourceHeight < (long) height * sourceWidth) {
                return new ThumbnailGeometry(0, 0, sourceWidth, sourceHeight, width,
                        (int) Math.max(1, (long) width * sourceHeight / sourceWidth));
            }
            return new ThumbnailGeometry(0, 0, sourceWidth, sourceHeight,
                    (int) Math.max(1, (long) height * sourceWidth / sourceHeight), height);
        }
        // The largest centred region with the requested aspect ratio...
        int regionWidth;
        int regionHeight;
        if ((long) sourceWidth * height > (long) width * sourceHeight) {
            regionHeight = sourceHeight;
            regionWidth = (int) Math.max(1, Math.round((double) sourceHeight * width / height));
        } else {
            regionWidth = sourceWidth;
            regionHeight = (int) Math.max(1, Math.round((double) sourceWidth * height / width));
        }
        regionWidth = Math.min(regionWidth, sourceWidth);
        regionHeight = Math.min(regionHeight, sourceHeight);
        // ...scaled down to the requested size, or kept as is when it is smaller (no upscaling).
        int outWidth = Math.min(width, regionWidth);
        int outHeight = regionWidth <= width ? regionHeight : height;
        outHeight = Math.min(outHeight, regionHeight);
        return new ThumbnailGeometry((sourceWidth - regionWidth) / 2, (sourceHeight - regionHeight) / 2,
                regionWidth, regionHeight, outWidth, outHeight);
    }
}
