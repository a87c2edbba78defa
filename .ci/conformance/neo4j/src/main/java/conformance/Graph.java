package conformance;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** A property graph keyed by `_key`: what graph.json says, or what a Neo4j database holds. */
final class Graph {
    record Node(String key, Set<String> labels, Map<String, Value> properties) {}

    record Relationship(String key, String type, String start, String end, Map<String, Value> properties) {}

    final Map<String, Node> nodes = new TreeMap<>();
    final Map<String, Relationship> relationships = new TreeMap<>();

    /** Adds a node; a second node with the same `_key` is a failure of whoever built the graph. */
    void add(Node n) {
        if (nodes.put(n.key(), n) != null) throw new Failure("two nodes have _key " + Value.quote(n.key()));
    }

    void add(Relationship r) {
        if (relationships.put(r.key(), r) != null) {
            throw new Failure("two relationships have _key " + Value.quote(r.key()));
        }
    }

    /** Node count per label, relationship count per type: for the report. */
    Map<String, Integer> labelCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Node n : nodes.values()) for (String l : n.labels()) counts.merge(l, 1, Integer::sum);
        return counts;
    }

    Map<String, Integer> typeCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Relationship r : relationships.values()) counts.merge(r.type(), 1, Integer::sum);
        return counts;
    }

    static Set<String> labels(Iterable<String> labels) {
        Set<String> out = new TreeSet<>();
        labels.forEach(out::add);
        return out;
    }
}
