package conformance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads one export into Neo4j with the export's own scripts (and its GraphML with APOC), and
 * compares each database with json/graph.json, by value and by Neo4j type; then asks the
 * database built by neo4j-admin the audit queries, whose answers audit_questions.py computed
 * from the raw pages (QUESTIONS, the query files in QUERIES_DIR).
 *
 * <pre>java conformance.Main EXPORT_DIR GRAPH_SCHEMA WORK_DIR QUESTIONS QUERIES_DIR</pre>
 */
public final class Main {
    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: java conformance.Main EXPORT_DIR GRAPH_SCHEMA WORK_DIR QUESTIONS QUERIES_DIR");
            System.exit(2);
        }
        Path export = Path.of(args[0]);
        Path schema = Path.of(args[1]);
        Path work = Path.of(args[2]);
        Path questions = Path.of(args[3]);
        Path queries = Path.of(args[4]);
        try {
            Graph want = Expected.load(export.resolve("json/graph.json"), schema);
            adminImport(export, work, want, questions, queries);
            // neo4j.sh asks a combined export of several accounts for neo4j-admin import alone:
            // load.cypher and APOC read it as they read the single-account exports.
            if (Boolean.getBoolean("conformance.importOnly")) return;
            loadCsv(export, work, want);
            // neo4j.sh builds a release APOC is not published for without APOC.
            if (!"none".equals(System.getProperty("conformance.apoc"))) apocGraphml(export, work, want);
        } catch (Failure f) {
            System.err.println("FAILED: " + f.getMessage());
            System.exit(1);
        }
    }

    private static void adminImport(Path export, Path work, Graph want, Path questions, Path queries) {
        Path copy = Scratch.dir(work, "admin-export");
        Scratch.copy(export, copy);
        try (Home home = new Home(Scratch.dir(work, "admin-home"), Map.of())) {
            AdminImport.Run run = AdminImport.run(copy, home, s -> s);
            if (run.exitCode() != 0) {
                throw new Failure("neo4j-admin import exited with " + run.exitCode() + ":\n" + run.output());
            }
            List<String> options = run.arguments().stream().filter(a -> a.startsWith("--") && !a.startsWith("--nodes=")
                    && !a.startsWith("--relationships=")).toList();
            Graph got = Actual.read(home.db());
            System.out.printf("neo4j-admin import (Neo4j %s): %d nodes, %d relationships in %.1f s, with import.sh's %s%n",
                    Actual.version(home.db()), got.nodes.size(), got.relationships.size(), run.seconds(), options);
            int values = Compare.check("neo4j-admin import", Documented.inNeo4j(want), got);
            System.out.printf("neo4j-admin import: labels, types, ends and %d property values equal graph.json's, Neo4j types included%n", values);
            for (String line : Queries.check(home.db(), questions, queries)) System.out.println("queries: " + line);
        }
    }

    private static void loadCsv(Path export, Path work, Graph want) {
        try (Home home = new Home(Scratch.dir(work, "load-home"), LoadCsv.settings())) {
            LoadCsv.Run run = LoadCsv.run(export, home);
            Graph got = Actual.read(home.db());
            System.out.printf("load.cypher (Neo4j %s, Bolt): %d statements, no notification; %d nodes, %d relationships in %.1f s%n",
                    Actual.version(home.db()), run.statements(), got.nodes.size(), got.relationships.size(), run.seconds());
            int values = Compare.check("load.cypher", Documented.inNeo4j(want), got);
            System.out.printf("load.cypher: labels, types, ends and %d property values equal graph.json's, Neo4j types included%n", values);
        }
    }

    private static void apocGraphml(Path export, Path work, Graph want) {
        Graph expected = ApocDocumented.expected(want, Expected.records(export.resolve("json/graph.json")));
        try (Home home = new Home(Scratch.dir(work, "apoc-home"), Map.of())) {
            ApocGraphml.Run run = ApocGraphml.run(export.resolve("graphml/graph.graphml"), home);
            Graph got = ApocReading.read(Actual.read(home.db()), expected);
            System.out.printf("apoc.import.graphml (APOC %s, Neo4j %s, readLabels): %d nodes, %d relationships, %d properties in %.1f s%n",
                    run.apoc(), Actual.version(home.db()), run.nodes(), run.relationships(), run.properties(), run.seconds());
            if (run.nodes() != got.nodes.size() || run.relationships() != got.relationships.size()) {
                throw new Failure("apoc.import.graphml reported " + run.nodes() + " nodes and " + run.relationships()
                        + " relationships, the database holds " + got.nodes.size() + " and " + got.relationships.size());
            }
            int values = Compare.check("apoc.import.graphml", expected, got);
            System.out.printf("apoc.import.graphml: labels, types, ends and %d property values as the README says"
                    + " (dates and datetimes ISO strings, arrays JSON strings, _long/_double/_boolean/_string names)%n", values);
        }
    }
}
