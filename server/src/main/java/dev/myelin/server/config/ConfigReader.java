package dev.myelin.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads from one YAML mapping. Every error names the full key path and what was expected;
 * {@link #finish()} rejects keys nobody read, so a misspelt key never passes silently.
 */
final class ConfigReader {
    private static final Pattern SIZE = Pattern.compile("(?i)^\\s*(\\d+)\\s*([kmgt]?)(i?b)?\\s*$");

    private static final Pattern DURATION = Pattern.compile("(?i)^\\s*(\\d{1,12})\\s*(ms|s|m|h|d|w)?\\s*$");

    private final String path;
    private final Map<?, ?> map;
    private final Path baseDir;
    private final Set<String> read = new HashSet<>();

    ConfigReader(String path, Map<?, ?> map, Path baseDir) {
        this.path = path;
        this.map = map;
        this.baseDir = baseDir;
    }

    private String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private Object raw(String name) {
        read.add(name);
        return map.get(name);
    }

    String requiredString(String name) {
        return optionalString(name).orElseThrow(() -> new ConfigException(
                "Missing required key '" + key(name) + "': expected a string"));
    }

    Optional<String> optionalString(String name) {
        Object value = raw(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return Optional.of(value.toString());
        }
        throw wrongType(name, "a string", value);
    }

    String string(String name, String fallback) {
        return optionalString(name).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer number && number >= min && number <= max) {
            return number;
        }
        throw wrongType(name, "an integer from " + min + " to " + max, value);
    }

    double decimal(String name, double fallback) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number && number.doubleValue() >= 0) {
            return number.doubleValue();
        }
        throw wrongType(name, "a number of zero or more", value);
    }

    boolean bool(String name, boolean fallback) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw wrongType(name, "true or false", value);
    }

    /** A byte size: a plain integer, or a number with K, M, G (powers of 1024), such as "50M". */
    long size(String name, long fallback) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number && number.longValue() > 0) {
            return number.longValue();
        }
        if (value instanceof String text) {
            Matcher m = SIZE.matcher(text);
            if (m.matches()) {
                long base = Long.parseLong(m.group(1));
                int shift = switch (m.group(2).toLowerCase()) {
                    case "k" -> 10;
                    case "m" -> 20;
                    case "g" -> 30;
                    case "t" -> 40;
                    default -> 0;
                };
                if (base > 0) {
                    return base << shift;
                }
            }
        }
        throw wrongType(name, "a positive size such as 1048576, \"512K\" or \"50M\"", value);
    }

    /** A byte size like {@link #size}, where 0 is also accepted (meaning "none" or "off"). */
    long sizeOrZero(String name, long fallback) {
        Object value = raw(name);
        if (value instanceof Number number && number.longValue() == 0) {
            return 0;
        }
        read.remove(name);
        return size(name, fallback);
    }

    /**
     * A duration in milliseconds: a number of seconds, or a number with a unit ms, s, m, h, d or w, such as "90s",
     * "24h" or "30d". 0 is accepted.
     */
    long duration(String name, long fallbackMs) {
        Object value = raw(name);
        if (value == null) {
            return fallbackMs;
        }
        if (value instanceof Number number && number.longValue() >= 0) {
            return number.longValue() * 1000;
        }
        if (value instanceof String text) {
            Matcher m = DURATION.matcher(text);
            if (m.matches()) {
                long base = Long.parseLong(m.group(1));
                long unit = switch (m.group(2) == null ? "s" : m.group(2).toLowerCase()) {
                    case "ms" -> 1;
                    case "m" -> 60_000;
                    case "h" -> 3_600_000;
                    case "d" -> 86_400_000;
                    case "w" -> 7 * 86_400_000L;
                    default -> 1000;
                };
                return base * unit;
            }
        }
        throw wrongType(name, "a duration such as 90 (seconds), \"500ms\", \"10s\", \"5m\", \"24h\" or \"30d\"", value);
    }

    /** An instant in ms since the epoch: an ISO-8601 timestamp such as 2024-09-01T00:00:00Z (YAML or a string). */
    long instant(String name, long fallbackMs) {
        Object value = raw(name);
        if (value == null) {
            return fallbackMs;
        }
        if (value instanceof java.util.Date date) {
            return date.getTime();
        }
        if (value instanceof String text) {
            try {
                return java.time.Instant.parse(text.trim()).toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
                // fall through
            }
        }
        throw wrongType(name, "an ISO-8601 instant such as 2024-09-01T00:00:00Z", value);
    }

    /** A path; relative paths are taken relative to the config file's folder. */
    Path path(String name, String fallback) {
        return optionalPath(name).orElseGet(() -> baseDir.resolve(fallback).normalize());
    }

    /** A path relative to the config file's directory. */
    Path resolve(String value) {
        return baseDir.resolve(value).normalize();
    }

    Optional<Path> optionalPath(String name) {
        return optionalString(name).map(value -> baseDir.resolve(value).normalize());
    }

    <E extends Enum<E>> E enumValue(String name, Class<E> type, E fallback) {
        Optional<String> value = optionalString(name);
        if (value.isEmpty()) {
            return fallback;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.get())) {
                return constant;
            }
        }
        var names = new ArrayList<String>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase());
        }
        throw new ConfigException("Key '" + key(name) + "': expected one of " + names + ", got '" + value.get() + "'");
    }

    Optional<ConfigReader> optionalSection(String name) {
        Object value = raw(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> section) {
            return Optional.of(new ConfigReader(key(name), section, baseDir));
        }
        throw wrongType(name, "a mapping of keys to values", value);
    }

    ConfigReader section(String name) {
        return optionalSection(name).orElseGet(() -> new ConfigReader(key(name), Map.of(), baseDir));
    }

    <T> Optional<List<T>> optionalList(String name, Function<ConfigReader, T> item) {
        Object value = raw(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof List<?> list)) {
            throw wrongType(name, "a list", value);
        }
        var items = new ArrayList<T>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> entry)) {
                throw new ConfigException("Key '" + key(name) + "." + i + "': expected a mapping of keys to values");
            }
            var reader = new ConfigReader(key(name) + "." + i, entry, baseDir);
            items.add(item.apply(reader));
            reader.finish();
        }
        return Optional.of(items);
    }

    List<String> stringList(String name, List<String> fallback) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof List<?> list && list.stream().allMatch(v -> v instanceof String)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw wrongType(name, "a list of strings", value);
    }

    /** The keys of this section, for sections that are maps of arbitrary names. */
    List<String> keys() {
        return map.keySet().stream().map(String::valueOf).toList();
    }

    ConfigException invalid(String name, String problem) {
        return new ConfigException("Key '" + key(name) + "': " + problem);
    }

    /** Rejects keys that no one read: they are misspelt or belong to another version. */
    void finish() {
        for (Object name : map.keySet()) {
            if (!read.contains(String.valueOf(name))) {
                throw new ConfigException("Unknown key '" + key(String.valueOf(name)) + "'");
            }
        }
    }

    private ConfigException wrongType(String name, String expected, Object value) {
        return new ConfigException("Key '" + key(name) + "': expected " + expected + ", got "
                + (value instanceof String ? "'" + value + "'" : String.valueOf(value)));
    }
}
