package dev.myelin.server.client;

import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.media.MediaService;

import java.util.Optional;

/** The query parameters of the download and thumbnail endpoints, shared by the client and federation APIs. */
public final class MediaQuery {
    private MediaQuery() {
    }

    public static long timeout(MatrixRequest request) {
        Optional<String> value = request.query("timeout_ms");
        if (value.isEmpty()) {
            return MediaService.DEFAULT_WAIT_MS;
        }
        try {
            long timeout = Long.parseLong(value.get());
            if (timeout < 0) {
                throw MatrixException.invalidParam("timeout_ms must not be negative");
            }
            return timeout;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("timeout_ms must be an integer");
        }
    }

    /** {@code method}: crop (true) or scale (false, the default). */
    public static boolean crop(MatrixRequest request) {
        String method = request.query("method").orElse("scale");
        if (!method.equals("crop") && !method.equals("scale")) {
            throw MatrixException.invalidParam("method must be crop or scale");
        }
        return method.equals("crop");
    }

    public static int dimension(MatrixRequest request, String name) {
        String value = request.query(name).orElseThrow(() -> MatrixException.missingParam(name + " is required"));
        try {
            int number = Integer.parseInt(value);
            if (number < 1 || number > 10_000) {
                throw MatrixException.invalidParam(name + " must be from 1 to 10000");
            }
            return number;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam(name + " must be an integer");
        }
    }

    public static boolean bool(MatrixRequest request, String name, boolean fallback) {
        Optional<String> value = request.query(name);
        if (value.isEmpty()) {
            return fallback;
        }
        return switch (value.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam(name + " must be true or false");
        };
    }
}
