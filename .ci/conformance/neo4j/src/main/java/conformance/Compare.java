package conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Compares the graph Neo4j holds with the expected one, naming each key and property that differs. */
final class Compare {
    private static final int SHOWN = Integer.getInteger("conformance.shown", 25);

    private final String what;
    private final List<String> problems = new ArrayList<>();
    private int count;

    private Compare(String what) {
        this.what = what;
    }

    /** Throws a {@link Failure} listing the first differences; returns the number of values compared. */
    static int check(String what, Graph want, Graph got) {
        Compare c = new Compare(what);
        int values = c.graphs(want, got);
        if (c.count > 0) {
            String more = c.count > SHOWN ? "\n  ... and " + (c.count - SHOWN) + " more" : "";
            throw new Failure(what + ": " + c.count + " difference(s) from graph.json:\n  "
                    + String.join("\n  ", c.problems) + more);
        }
        return values;
    }

    private void problem(String p) {
        if (count++ < SHOWN) problems.add(p);
    }

    private int graphs(Graph want, Graph got) {
        int values = 0;
        for (String key : union(want.nodes, got.nodes)) {
            Graph.Node w = want.nodes.get(key);
            Graph.Node g = got.nodes.get(key);
            if (w == null) {
                problem("node " + Value.quote(key) + ": in Neo4j, not in graph.json");
            } else if (g == null) {
                problem("node " + Value.quote(key) + ": missing in Neo4j");
            } else {
                if (!w.labels().equals(g.labels())) {
                    problem("node " + Value.quote(key) + ": labels " + g.labels() + ", expected " + w.labels());
                }
                values += properties("node " + Value.quote(key), w.properties(), g.properties());
            }
        }
        for (String key : union(want.relationships, got.relationships)) {
            Graph.Relationship w = want.relationships.get(key);
            Graph.Relationship g = got.relationships.get(key);
            String name = "relationship " + Value.quote(key);
            if (w == null) {
                problem(name + ": in Neo4j, not in graph.json");
            } else if (g == null) {
                problem(name + ": missing in Neo4j");
            } else {
                if (!w.type().equals(g.type())) problem(name + ": type " + g.type() + ", expected " + w.type());
                if (!w.start().equals(g.start()) || !w.end().equals(g.end())) {
                    problem(name + ": goes " + g.start() + " -> " + g.end() + ", expected " + w.start() + " -> " + w.end());
                }
                values += properties(name, w.properties(), g.properties());
            }
        }
        return values;
    }

    private int properties(String where, Map<String, Value> want, Map<String, Value> got) {
        int values = 0;
        for (String p : union(want, got)) {
            Value w = want.get(p);
            Value g = got.get(p);
            if (w == null) problem(where + ": property " + p + " = " + g + " in Neo4j, absent in graph.json");
            else if (g == null) problem(where + ": property " + p + " = " + w + " in graph.json, absent in Neo4j");
            else if (!w.equals(g)) problem(where + ": property " + p + " is " + g + " in Neo4j, expected " + w);
            else values++;
        }
        return values;
    }

    private static TreeSet<String> union(Map<String, ?> a, Map<String, ?> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }
}
