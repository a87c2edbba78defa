package kb4graph.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.jena.graph.Node;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QuerySolution;
import org.apache.jena.query.ResultSet;
import org.apache.jena.riot.RDFDataMgr;

/**
 * Runs each SPARQL query of a directory on rdf/graph.nt with ARQ and prints its rows, one term a
 * tab-separated column, in the form rdf_sparql.py prints Oxigraph's: `<iri>` or
 * `"lexical"^^<datatype>` (escaped as Python's json.dumps does), `-` when unbound.
 *
 * <p>Sparql EXPORT_DIR QUERY_DIR
 */
public final class Sparql {
    public static void main(String[] args) throws IOException {
        Dataset dataset = DatasetFactory.create();
        RDFDataMgr.read(dataset.getDefaultModel(), Path.of(args[0], "rdf", "graph.nt").toString());
        List<Path> queries;
        try (Stream<Path> files = Files.list(Path.of(args[1]))) {
            queries = files.filter(p -> p.toString().endsWith(".rq")).sorted().toList();
        }
        for (Path query : queries) {
            System.out.println("# " + query.getFileName());
            try (QueryExecution exec = QueryExecution.dataset(dataset).query(Files.readString(query)).build()) {
                ResultSet results = exec.execSelect();
                List<String> vars = results.getResultVars();
                while (results.hasNext()) {
                    QuerySolution row = results.next();
                    List<String> cells = new ArrayList<>();
                    for (String v : vars) {
                        cells.add(term(row.get(v) == null ? null : row.get(v).asNode()));
                    }
                    System.out.println(String.join("\t", cells));
                }
            }
        }
    }

    private static String term(Node node) {
        if (node == null) {
            return "-";
        }
        if (node.isURI()) {
            return "<" + node.getURI() + ">";
        }
        return json(node.getLiteralLexicalForm()) + "^^<" + node.getLiteralDatatypeURI() + ">";
    }

    private static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7f) {
                        out.append(Character.toChars(c).length == 1 ? String.format("\\u%04x", c)
                                : String.format("\\u%04x\\u%04x", (int) Character.highSurrogate(c), (int) Character.lowSurrogate(c)));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.append('"').toString();
    }
}
