package conformance;

import java.nio.file.Path;
import java.util.Map;

public final class Main {
    public static void main(String[] args) {
        Path export = Path.of(args[0]);
        Path schema = Path.of(args[1]);
        Path work = Path.of(args[2]);
        Graph want = Expected.load(export.resolve("json/graph.json"), schema);
        Path copy = Scratch.dir(work, "export");
        Scratch.copy(export, copy);
        try (Home home = new Home(Scratch.dir(work, "home"), Map.of(), null)) {
            AdminImport.Run run = AdminImport.run(copy, home, s -> s);
            System.out.println(run.output());
            System.out.println(run.exitCode() + " " + run.arguments() + " " + run.seconds());
            Graph got = Actual.read(home.db());
            System.out.println(Compare.check("neo4j-admin import", want, got));
        } catch (Failure f) {
            System.err.println(f.getMessage());
            System.exit(1);
        }
    }
}
