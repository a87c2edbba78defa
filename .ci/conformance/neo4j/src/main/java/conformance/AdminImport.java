package conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Runs an export's `neo4j/import.sh` with bash, as a user would, with NEO4J_HOME pointing at a
 * {@link Home} whose `bin/neo4j-admin` is Neo4j's own admin tool: every argument is the one the
 * script passes, quoted as the shell reads it.
 */
final class AdminImport {
    record Run(int exitCode, String output, List<String> arguments, double seconds) {}

    private AdminImport() {}

    /**
     * Runs `bash neo4j/import.sh kb4graph` in {@code export} (a scratch copy: the importer writes
     * its report next to the files). {@code edit} may rewrite the script first (identity for the
     * script as written).
     */
    static Run run(Path export, Home home, UnaryOperator<String> edit) {
        try {
            Path script = export.resolve("neo4j/import.sh");
            String text = Files.readString(script);
            String edited = edit.apply(text);
            if (!edited.equals(text)) Files.writeString(script, edited);
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), Home.DATABASE)
                    .redirectErrorStream(true);
            pb.environment().put("NEO4J_HOME", home.dir.toString());
            pb.environment().put("NEO4J_CONF", home.dir.resolve("conf").toString());
            long started = System.nanoTime();
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            double seconds = (System.nanoTime() - started) / 1e9;
            List<String> args = Files.exists(home.dir.resolve("admin-arguments")) ? home.adminArguments() : List.of();
            return new Run(rc, output, args, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted", e);
        }
    }
}
