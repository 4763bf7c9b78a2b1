package dev.myelin.server.media;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The {@code Content-Disposition} of served media (RFC 6266): {@code inline} only for the spec's safe types, else
 * {@code attachment}; the file name as a quoted string when it is plain ASCII, else as an RFC 5987
 * {@code filename*=utf-8''...} extended value.
 */
public final class ContentDisposition {
    private ContentDisposition() {
    }

    public static String forMedia(String contentType, Optional<String> fileName) {
        return header(ContentTypes.inline(contentType) ? "inline" : "attachment", fileName);
    }

    public static String header(String disposition, Optional<String> fileName) {
        if (fileName.isEmpty() || fileName.get().isEmpty()) {
            return disposition;
        }
        String name = fileName.get();
        if (plainAscii(name)) {
            return disposition + "; filename=\"" + name + "\"";
        }
        return disposition + "; filename*=utf-8''" + encode(name);
    }

    /**
     * The file name a {@code Content-Disposition} header gives (another server's answer): the RFC 5987
     * {@code filename*} if present and UTF-8, else {@code filename}, quoted or not.
     */
    public static Optional<String> fileName(Optional<String> header) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> plain = Optional.empty();
        for (String parameter : header.get().split(";")) {
            int equals = parameter.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String name = parameter.substring(0, equals).trim().toLowerCase(java.util.Locale.ROOT);
            String value = parameter.substring(equals + 1).trim();
            if (name.equals("filename*") && value.toLowerCase(java.util.Locale.ROOT).startsWith("utf-8''")) {
                try {
                    return Optional.of(java.net.URLDecoder.decode(value.substring(7).replace("+", "%2B"),
                            StandardCharsets.UTF_8));
                } catch (IllegalArgumentException malformed) {
                    // fall back to filename
                }
            } else if (name.equals("filename")) {
                plain = Optional.of(value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1).replace("\\\"", "\"") : value);
            }
        }
        return plain.filter(name -> !name.isEmpty());
    }

    private static boolean plainAscii(String name) {
        return name.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '%');
    }

    /** RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else percent-encoded as UTF-8. */
    static String encode(String value) {
        var out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
