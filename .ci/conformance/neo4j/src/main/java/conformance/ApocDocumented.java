package conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What `apoc.import.graphml(file, {readLabels: true})` must hold, as the README's GraphML section
 * says, derived from graph.json so that any other difference fails:
 * <ul>
 *   <li>labels are `_type` and every `_class` (the `labels` key), a relationship's type its
 *       `_class` (the edge key `label`), so a relationship's `displayName`, which is its type, is
 *       not repeated;</li>
 *   <li>a node also has `_class` (a JSON array string) and `label` (its displayName again);</li>
 *   <li>long, double and boolean keep their type; datetimes and dates are the ISO strings of
 *       graph.json; arrays are JSON array strings ({@link ApocReading} parses them);</li>
 *   <li>a string XML 1.0 cannot hold has U+FFFD for each such character, and a string of XML
 *       whitespace only (or empty) is "" (APOC trims before parsing).</li>
 * </ul>
 */
final class ApocDocumented {
    private ApocDocumented() {}

    static Graph expected(Graph want, Map<String, JsonNode> records) {
        Graph out = new Graph();
        for (Graph.Node n : want.nodes.values()) {
            JsonNode record = records.get(n.key());
            Map<String, Value> props = converted(n.properties(), record);
            List<String> classes = new ArrayList<>();
            record.path("_class").forEach(c -> classes.add(c.asText()));
            props.put("_class", new Value("json string[]", classes));
            Value name = props.get("displayName");
            if (name != null) props.put("label", name);
            out.add(new Graph.Node(n.key(), n.labels(), props));
        }
        for (Graph.Relationship r : want.relationships.values()) {
            Map<String, Value> props = converted(r.properties(), records.get(r.key()));
            Value name = props.remove("displayName");
            if (name != null && !name.equals(Value.string(r.type()))) {
                throw new Failure("relationship " + Value.quote(r.key()) + ": displayName " + name
                        + " is not its type " + r.type() + ", so GraphML would lose it");
            }
            out.add(new Graph.Relationship(r.key(), r.type(), r.start(), r.end(), props));
        }
        return out;
    }

    private static Map<String, Value> converted(Map<String, Value> props, JsonNode record) {
        Map<String, Value> out = new TreeMap<>();
        props.forEach((name, v) -> {
            Value c = switch (v.type()) {
                case "datetime", "date" -> Value.string(record.path(name).asText());
                case "string" -> Value.string(inXml((String) v.value()));
                default -> v.isArray() ? new Value("json " + v.type(), v.value()) : v;
            };
            out.put(name, c);
        });
        return out;
    }

    /** A string as APOC reads it back from XML text. */
    static String inXml(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> {
            boolean allowed = c == '\t' || c == '\n' || c == '\r' || c >= 0x20 && c != 0xFFFE && c != 0xFFFF;
            out.appendCodePoint(allowed ? c : 0xFFFD);
        });
        String text = out.toString();
        return text.chars().allMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == '\r') ? "" : text;
    }
}
