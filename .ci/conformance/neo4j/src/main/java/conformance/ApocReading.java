package conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two reading rules the README gives a user of APOC's graph, applied to what APOC made:
 * a property named `<name>_long`, `_double`, `_boolean` or `_string` is `<name>` (and must hold
 * that type); a string where graph.json has an array is JSON text, read as the list it holds
 * (what `apoc.convert.fromJsonList` does).
 */
final class ApocReading {
    private static final Map<String, String> SUFFIXES =
            Map.of("_long", "long", "_double", "double", "_boolean", "boolean", "_string", "string");

    private ApocReading() {}

    static Graph read(Graph got, Graph want) {
        Graph out = new Graph();
        for (Graph.Node n : got.nodes.values()) {
            Graph.Node w = want.nodes.get(n.key());
            out.add(new Graph.Node(n.key(), n.labels(), read(n.key(), n.properties(), w == null ? Map.of() : w.properties())));
        }
        for (Graph.Relationship r : got.relationships.values()) {
            Graph.Relationship w = want.relationships.get(r.key());
            out.add(new Graph.Relationship(r.key(), r.type(), r.start(), r.end(),
                    read(r.key(), r.properties(), w == null ? Map.of() : w.properties())));
        }
        return out;
    }

    private static Map<String, Value> read(String key, Map<String, Value> props, Map<String, Value> want) {
        Map<String, Value> out = new TreeMap<>();
        props.forEach((name, v) -> {
            String property = unqualified(name, v);
            Value w = want.get(property);
            Value read = w != null && w.type().startsWith("json ") && v.type().equals("string") ? list((String) v.value(), w.type()) : v;
            if (out.put(property, read) != null) {
                throw new Failure(Value.quote(key) + ": APOC made two properties that read as " + property);
            }
        });
        return out;
    }

    private static String unqualified(String name, Value v) {
        for (Map.Entry<String, String> s : SUFFIXES.entrySet()) {
            if (name.endsWith(s.getKey()) && v.type().equals(s.getValue())) {
                return name.substring(0, name.length() - s.getKey().length());
            }
        }
        return name;
    }

    /** JSON array text as a list of {@code type} ("json string[]" or "json long[]"); else the string. */
    private static Value list(String text, String type) {
        JsonNode array;
        try {
            array = Expected.JSON.readTree(text);
        } catch (java.io.IOException e) {
            return Value.string(text);
        }
        if (array == null || !array.isArray()) return Value.string(text);
        boolean longs = type.equals("json long[]");
        List<Object> items = new ArrayList<>();
        for (JsonNode item : array) {
            if (!longs && item.isTextual()) items.add(item.asText());
            else if (longs && item.isIntegralNumber() && item.canConvertToLong()) items.add(item.asLong());
            else return Value.string(text);
        }
        return new Value(type, items);
    }
}
