package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.spec.id.DeviceId;
import dev.myelin.spec.id.InvalidIdentifierException;

import java.util.Optional;

/** Typed reads of request body fields: a wrong type is 400 M_BAD_JSON, a missing required one M_MISSING_PARAM. */
public final class Fields {
    private Fields() {
    }

    public static Optional<String> string(ObjectNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw MatrixException.badJson("'" + name + "' must be a string");
        }
        if (value.asText().indexOf('\0') >= 0) {
            throw MatrixException.invalidParam("'" + name + "' must not contain NUL characters");
        }
        return Optional.of(value.asText());
    }

    /** A device id given by a client (body or path): M_INVALID_PARAM unless it is a valid device id. */
    public static String deviceId(String value) {
        try {
            return DeviceId.parse(value).value();
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid device id: " + e.reason());
        }
    }

    public static String requiredString(ObjectNode body, String name) {
        return string(body, name).orElseThrow(() -> MatrixException.missingParam("Missing '" + name + "'"));
    }

    /** A boolean the body must have: 400 M_MISSING_PARAM without it, M_BAD_JSON when it is not a boolean. */
    public static boolean requiredBool(ObjectNode body, String name) {
        if (!body.has(name)) {
            throw MatrixException.missingParam("Missing '" + name + "'");
        }
        return bool(body, name, false);
    }

    public static boolean bool(ObjectNode body, String name, boolean fallback) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw MatrixException.badJson("'" + name + "' must be a boolean");
        }
        return value.asBoolean();
    }
}
