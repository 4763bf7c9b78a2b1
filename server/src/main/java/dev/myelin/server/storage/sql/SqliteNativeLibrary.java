package dev.myelin.server.storage.sql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * sqlite-jdbc copies its native library out of the jar into a new temp file and checksums it at every start, which
 * costs a few hundred milliseconds of a cold start on a busy machine. This keeps one copy per driver version next to
 * the database and points the driver at it. If anything goes wrong, the driver extracts its library as usual.
 */
final class SqliteNativeLibrary {
    private static final Logger log = LoggerFactory.getLogger(SqliteNativeLibrary.class);
    private static final String PATH_PROPERTY = "org.sqlite.lib.path";
    private static final String NAME_PROPERTY = "org.sqlite.lib.name";

    private SqliteNativeLibrary() {}

    /** Call before the first SQLite connection of the JVM; later calls do nothing. */
    static synchronized void useCopyIn(Path dir) {
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        String name = System.mapLibraryName("sqlitejdbc");
        URL bundled = SQLiteJDBCLoader.class.getResource(
                "/org/sqlite/native/" + OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + name);
        if (bundled == null) {
            return;
        }
        Path copy = dir.resolve(".sqlite-native").resolve(SQLiteJDBCLoader.getVersion()).resolve(name);
        try {
            if (!Files.isRegularFile(copy)) {
                Files.createDirectories(copy.getParent());
                Path partial = Files.createTempFile(copy.getParent(), name, ".partial");
                try (InputStream in = bundled.openStream()) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE);
            }
            System.setProperty(PATH_PROPERTY, copy.getParent().toString());
            System.setProperty(NAME_PROPERTY, name);
        } catch (IOException e) {
            log.debug("cannot keep the SQLite native library in {}; the driver extracts it", dir, e);
        }
    }
}
