package conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.neo4j.graphdb.Entity;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.Transaction;

/** What a Neo4j database holds, read through the embedded Java API with Neo4j's own value types. */
final class Actual {
    private Actual() {}

    /** Every node and relationship, keyed by its `_key` property (which each must have). */
    static Graph read(GraphDatabaseService db) {
        Graph g = new Graph();
        try (Transaction tx = db.beginTx()) {
            for (Node n : tx.getAllNodes()) {
                List<String> labels = new ArrayList<>();
                for (Label l : n.getLabels()) labels.add(l.name());
                g.add(new Graph.Node(key(n, "node " + n.getElementId()), Graph.labels(labels), properties(n)));
            }
            for (Relationship r : tx.getAllRelationships()) {
                String where = "relationship " + r.getElementId();
                g.add(new Graph.Relationship(
                        key(r, where),
                        r.getType().name(),
                        key(r.getStartNode(), where + ": start node"),
                        key(r.getEndNode(), where + ": end node"),
                        properties(r)));
            }
            tx.commit();
        }
        return g;
    }

    /** The Neo4j kernel version the database runs. */
    static String version(GraphDatabaseService db) {
        try (Transaction tx = db.beginTx()) {
            Object v = tx.execute("CALL dbms.components() YIELD versions RETURN versions[0] AS v").next().get("v");
            tx.commit();
            return String.valueOf(v);
        }
    }

    private static String key(Entity e, String where) {
        Object key = e.getProperty("_key", null);
        if (!(key instanceof String s)) throw new Failure(where + " has no string _key property (" + key + ")");
        return s;
    }

    private static Map<String, Value> properties(Entity e) {
        Map<String, Value> props = new TreeMap<>();
        e.getAllProperties().forEach((name, v) -> props.put(name, Value.of(v)));
        return props;
    }
}
