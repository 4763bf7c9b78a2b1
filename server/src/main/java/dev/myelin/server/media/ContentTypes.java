package dev.myelin.server.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Content types: cleaning what clients claim, sniffing images, and which types may be served inline. */
public final class ContentTypes {
    public static final String OCTET_STREAM = "application/octet-stream";

    /** Spec: content repo "Serving inline content". SVG and HTML are deliberately absent. */
    private static final Set<String> INLINE = Set.of(
            "text/css", "text/plain", "text/csv", "application/json", "application/ld+json",
            "image/jpeg", "image/gif", "image/png", "image/apng", "image/webp", "image/avif",
            "video/mp4", "video/webm", "video/ogg", "video/quicktime",
            "audio/mp4", "audio/webm", "audio/aac", "audio/mpeg", "audio/ogg", "audio/wave", "audio/wav",
            "audio/x-wav", "audio/x-pn-wav", "audio/flac", "audio/x-flac");

    /** Image types this server decodes (to check claims and to make thumbnails). */
    private static final Set<String> DECODABLE = Set.of("image/jpeg", "image/png", "image/gif", "image/bmp",
            "image/webp");

    private static final Pattern TYPE = Pattern.compile(
            "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$");
    private static final Pattern PARAMS = Pattern.compile("^(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(\"[^\"\\\\\\p{Cntrl}]*\"|[A-Za-z0-9!#$&^_.+-]+))*\\s*$");

    private ContentTypes() {
    }

    /**
     * The content type to record for an upload: the client's claim if it is a well-formed media type (lowercased,
     * parameters kept when well-formed), else {@code application/octet-stream}.
     */
    public static String clean(Optional<String> claimed) {
        if (claimed.isEmpty()) {
            return OCTET_STREAM;
        }
        String value = claimed.get().trim();
        int semicolon = value.indexOf(';');
        String type = (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        String params = semicolon < 0 ? "" : value.substring(semicolon);
        if (!TYPE.matcher(type).matches() || value.length() > 255) {
            return OCTET_STREAM;
        }
        return PARAMS.matcher(params).matches() ? type + params.strip() : type;
    }

    /** The media type without parameters. */
    public static String essence(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    public static boolean inline(String contentType) {
        return INLINE.contains(essence(contentType));
    }

    public static boolean decodableImage(String contentType) {
        return DECODABLE.contains(essence(contentType));
    }

    /** The image type the first bytes of a file show, if any of the decodable ones. */
    public static Optional<String> sniffImage(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
        }
        return sniffImage(head);
    }

    static Optional<String> sniffImage(byte[] h) {
        if (startsWith(h, 0xFF, 0xD8, 0xFF)) {
            return Optional.of("image/jpeg");
        }
        if (startsWith(h, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of("image/png");
        }
        if (startsWith(h, 'G', 'I', 'F', '8')) {
            return Optional.of("image/gif");
        }
        if (startsWith(h, 'B', 'M')) {
            return Optional.of("image/bmp");
        }
        if (h.length >= 12 && startsWith(h, 'R', 'I', 'F', 'F') && h[8] == 'W' && h[9] == 'E' && h[10] == 'B'
                && h[11] == 'P') {
            return Optional.of("image/webp");
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The type to record for an upload: a claimed decodable image type must match the file's magic bytes, otherwise
     * (an encrypted file claimed as image/png, say) the spec allows, and safety asks for, {@code
     * application/octet-stream}; a claim of one image type for another is corrected.
     */
    public static String verified(String claimed, Path file) throws IOException {
        if (!decodableImage(claimed)) {
            return claimed;
        }
        return sniffImage(file).orElse(OCTET_STREAM);
    }
}
