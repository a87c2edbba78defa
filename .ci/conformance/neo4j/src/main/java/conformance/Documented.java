package conformance;

import java.util.Map;
import java.util.TreeMap;

/**
 * The differences between graph.json and a Neo4j database that the README documents, applied to
 * the expected graph so that anything else is a failure:
 * <ul>
 *   <li>an empty array is an absent property: neo4j-admin stores nothing for an empty field, and
 *       load.cypher sets none (an empty list literal would be typed string[]);</li>
 *   <li>a relationship's {@code displayName} is its type (checked here), so the CSV does not
 *       repeat it;</li>
 * </ul>
 */
final class Documented {
    private Documented() {}

    /** What both neo4j-admin import and LOAD CSV (Neo4j 5.26) must hold. */
    static Graph inNeo4j(Graph want) {
        Graph out = new Graph();
        for (Graph.Node n : want.nodes.values()) {
            out.add(new Graph.Node(n.key(), n.labels(), kept(n.properties())));
        }
        for (Graph.Relationship r : want.relationships.values()) {
            Map<String, Value> props = kept(r.properties());
            Value name = props.remove("displayName");
            if (name != null && !name.equals(Value.string(r.type()))) {
                throw new Failure("relationship " + Value.quote(r.key()) + ": displayName " + name
                        + " is not its type " + r.type() + ", so the CSV would lose it");
            }
            out.add(new Graph.Relationship(r.key(), r.type(), r.start(), r.end(), props));
        }
        return out;
    }

    private static Map<String, Value> kept(Map<String, Value> props) {
        Map<String, Value> out = new TreeMap<>();
        props.forEach((name, v) -> {
            boolean emptyArray = v.isArray() && ((java.util.List<?>) v.value()).isEmpty();
            if (!emptyArray) out.put(name, v);
        });
        return out;
    }
}
