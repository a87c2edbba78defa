package conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * A Neo4j home directory laid out like an installation: `bin/neo4j-admin` (Neo4j's own
 * `org.neo4j.cli.AdminTool`, started on this harness's class path), `conf/neo4j.conf`,
 * `plugins/`, `import/` and `data/`. The importer and the embedded DBMS both
 * read its neo4j.conf, as a server's would.
 */
final class Home implements AutoCloseable {
    static final String DATABASE = "kb4graph";

    final Path dir;
    private DatabaseManagementService dbms;

    Home(Path dir, Map<String, String> settings) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("bin"));
            Files.createDirectories(dir.resolve("conf"));
            Files.createDirectories(dir.resolve("plugins"));
            Files.createDirectories(dir.resolve("import"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path admin = dir.resolve("bin/neo4j-admin");
            // The launcher records the arguments it was given (NUL-separated) so the report can
            // show exactly what import.sh passed.
            Files.writeString(admin, "#!/bin/sh\n"
                    + "printf '%s\\0' \"$@\" > \"$NEO4J_HOME/admin-arguments\"\n"
                    + "exec " + sh(java) + " -Xmx1g" + jvmOpens() + " -cp " + sh(System.getProperty("java.class.path"))
                    + " org.neo4j.cli.AdminTool \"$@\"\n");
            Files.setPosixFilePermissions(admin, PosixFilePermissions.fromString("rwx------"));
            List<String> conf = new ArrayList<>();
            conf.add("initial.dbms.default_database=" + DATABASE);
            conf.add("server.directories.import=" + dir.resolve("import"));
            conf.add("server.memory.pagecache.size=256m");
            settings.forEach((k, v) -> conf.add(k + "=" + v));
            Files.write(dir.resolve("conf/neo4j.conf"), conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Neo4j's own launchers open these JDK modules; newer JDKs refuse the access without them,
    // so neo4j-admin gets the ones this JVM was started with.
    private static String jvmOpens() {
        StringBuilder out = new StringBuilder();
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens=") || arg.startsWith("--add-exports=")
                    || arg.startsWith("--enable-native-access=")) {
                out.append(' ').append(sh(arg));
            }
        }
        return out.toString();
    }

    private static String sh(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** A setting as this home's neo4j.conf gives it. */
    String setting(String name) {
        try {
            for (String line : Files.readAllLines(dir.resolve("conf/neo4j.conf"))) {
                if (line.startsWith(name + "=")) return line.substring(name.length() + 1);
            }
            throw new Failure("neo4j.conf has no " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The arguments the last `neo4j-admin` run was given. */
    List<String> adminArguments() {
        try {
            String all = Files.readString(dir.resolve("admin-arguments"));
            List<String> args = new ArrayList<>(List.of(all.split("\0", -1)));
            args.remove(args.size() - 1);
            return args;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The embedded DBMS on this home, started once. */
    GraphDatabaseService db() {
        if (dbms == null) {
            dbms = new DatabaseManagementServiceBuilder(dir)
                    .loadPropertiesFromFile(dir.resolve("conf/neo4j.conf"))
                    .build();
        }
        return dbms.database(DATABASE);
    }

    @Override
    public void close() {
        if (dbms != null) dbms.shutdown();
        dbms = null;
    }
}
