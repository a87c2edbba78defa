package conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * Runs APOC's `apoc.import.graphml` on an export's `graphml/graph.graphml` in a fresh database,
 * with APOC installed the way a user installs it: its jars in the home's `plugins/` and
 * `apoc.import.file.enabled=true` in `conf/apoc.conf`; the file sits in the import directory.
 */
final class ApocGraphml {
    record Run(String apoc, long nodes, long relationships, long properties, double seconds) {}

    static final String CALL = "CALL apoc.import.graphml($file, {readLabels: true})"
            + " YIELD nodes, relationships, properties RETURN nodes, relationships, properties";

    private ApocGraphml() {}

    /** Installs APOC in {@code home} (before its DBMS starts), then imports {@code graphml}. */
    static Run run(Path graphml, Home home) {
        install(home);
        try {
            Files.copy(graphml, home.dir.resolve("import/graph.graphml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GraphDatabaseService db = home.db();
        String apoc;
        try {
            apoc = db.executeTransactionally("RETURN apoc.version() AS v", Map.of(), r -> String.valueOf(r.next().get("v")));
        } catch (RuntimeException e) {
            throw new Failure("APOC is not installed in the DBMS: " + e.getMessage(), e);
        }
        long started = System.nanoTime();
        Map<String, Object> row;
        try {
            row = db.executeTransactionally(CALL, Map.of("file", "graph.graphml"), r -> r.next());
        } catch (RuntimeException e) {
            throw new Failure("apoc.import.graphml refused graphml/graph.graphml: " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Run(apoc, (Long) row.get("nodes"), (Long) row.get("relationships"), (Long) row.get("properties"), seconds);
    }

    /** APOC's jars (this harness's class path holds them, as the launcher puts plugins/* on it). */
    private static void install(Home home) {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (p.getFileName().toString().matches("apoc-(core|common)-[0-9.]+\\.jar")) jars.add(p);
        }
        if (jars.size() != 2) throw new Failure("APOC core and common jars not on the class path: " + jars);
        try {
            for (Path jar : jars) Files.copy(jar, home.dir.resolve("plugins").resolve(jar.getFileName()));
            Files.writeString(home.dir.resolve("conf/apoc.conf"), "apoc.import.file.enabled=true\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
