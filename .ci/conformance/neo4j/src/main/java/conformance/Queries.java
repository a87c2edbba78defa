package conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;

/**
 * Runs the audit queries of examples/queries/cypher in Neo4j itself and compares each answer
 * with the one audit_questions.py computed from the raw snapshot pages (questions.json).
 */
final class Queries {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Queries() {}

    /** One summary line per query name; a wrong answer throws a {@link Failure}. */
    static List<String> check(GraphDatabaseService db, Path questions, Path queries) {
        Map<String, Integer> asked = new TreeMap<>();
        try {
            for (JsonNode q : JSON.readTree(questions.toFile())) {
                String name = q.get("query").asText();
                String text = cypher(Files.readString(queries.resolve(name + ".cypher")));
                Map<String, Object> params = JSON.convertValue(q.get("params"), Map.class);
                List<String> got = new ArrayList<>();
                try (Transaction tx = db.beginTx(); Result result = tx.execute(text, params)) {
                    List<String> columns = result.columns();
                    while (result.hasNext()) {
                        Map<String, Object> row = result.next();
                        List<Object> picked = new ArrayList<>();
                        for (JsonNode i : q.get("columns")) picked.add(row.get(columns.get(i.asInt())));
                        got.add(JSON.writeValueAsString(picked));
                    }
                    tx.commit();
                }
                List<String> want = new ArrayList<>();
                for (JsonNode row : q.get("want")) want.add(JSON.writeValueAsString(row));
                if (!q.get("ordered").asBoolean()) {
                    Collections.sort(got);
                    Collections.sort(want);
                }
                if (!got.equals(want)) {
                    throw new Failure("query " + name + " " + params + ": Neo4j answered " + head(got) + " (" + got.size()
                            + " rows), the raw pages say " + head(want) + " (" + want.size() + " rows)");
                }
                asked.merge(name, 1, Integer::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        asked.forEach((name, n) -> out.add(name + ": " + n + " question(s) answered as the raw pages say"));
        return out;
    }

    /** A query file as a user pastes it: comment lines dropped, the final `;` removed. */
    private static String cypher(String file) {
        StringBuilder s = new StringBuilder();
        for (String line : file.split("\n", -1)) {
            if (!line.strip().startsWith("//")) s.append(line).append('\n');
        }
        String text = s.toString().strip();
        return text.endsWith(";") ? text.substring(0, text.length() - 1) : text;
    }

    private static String head(List<String> rows) {
        return rows.subList(0, Math.min(5, rows.size())).toString();
    }
}
