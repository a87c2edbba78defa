package conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.summary.Notification;
import org.neo4j.driver.summary.ResultSummary;

/**
 * Runs an export's `neo4j/load.cypher` verbatim against a running Neo4j, as cypher-shell would:
 * each statement in its own auto-commit transaction over Bolt (so `CALL { } IN TRANSACTIONS`
 * runs as written), with the CSVs in the server's import directory. Any notification Neo4j
 * returns (a deprecation, a performance warning) fails the run.
 */
final class LoadCsv {
    record Run(int statements, double seconds) {}

    private LoadCsv() {}

    /** Bolt settings for a {@link Home}: loopback only, a free port, no authentication. */
    static Map<String, String> settings() {
        return Map.of(
                "server.bolt.enabled", "true",
                "server.bolt.listen_address", "127.0.0.1:" + freePort(),
                "server.bolt.tls_level", "DISABLED",
                "server.http.enabled", "false",
                "dbms.security.auth_enabled", "false");
    }

    static Run run(Path export, Home home) {
        try {
            Scratch.copy(export.resolve("neo4j/nodes"), home.dir.resolve("import/nodes"));
            Scratch.copy(export.resolve("neo4j/relationships"), home.dir.resolve("import/relationships"));
            List<String> statements = statements(Files.readString(export.resolve("neo4j/load.cypher")));
            home.db();
            String address = home.setting("server.bolt.listen_address");
            long started = System.nanoTime();
            try (Driver driver = GraphDatabase.driver("bolt://" + address, AuthTokens.none());
                    Session session = driver.session(SessionConfig.forDatabase(Home.DATABASE))) {
                for (String statement : statements) {
                    ResultSummary summary;
                    try {
                        summary = session.run(statement).consume();
                    } catch (RuntimeException e) {
                        throw new Failure("load.cypher: Neo4j refused\n" + statement + "\n  " + e.getMessage(), e);
                    }
                    List<String> notes = new ArrayList<>();
                    for (Notification n : summary.notifications()) {
                        notes.add(n.code() + ": " + n.description());
                    }
                    if (!notes.isEmpty()) {
                        throw new Failure("load.cypher: Neo4j notified\n" + statement + "\n  " + String.join("\n  ", notes));
                    }
                }
            }
            return new Run(statements.size(), (System.nanoTime() - started) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The statements of a Cypher script: comment lines dropped, split at a `;` ending a line. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            if (line.strip().startsWith("//")) continue;
            current.append(line).append('\n');
            if (line.stripTrailing().endsWith(";")) {
                String s = current.toString().strip();
                out.add(s.substring(0, s.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) throw new Failure("load.cypher ends in a statement without `;`");
        return out;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
