package conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * The graph as `json/graph.json` holds it, each value typed by the bundled JSON Schema
 * (`schemas/graph.schema.json`): `integer` is a long, `number` a double, `#/$defs/datetime` a
 * datetime, `#/$defs/date` a date, arrays by their items. Labels are `_type` and every
 * `_class`; a relationship's type is its `_class`. These are the rules the README gives for
 * the Neo4j export.
 */
final class Expected {
    static final ObjectMapper JSON = new ObjectMapper();

    /** JSON properties that are structure in Neo4j (labels, type, ends), not properties. */
    static final Set<String> NODE_STRUCTURE = Set.of("_class");
    static final Set<String> RELATIONSHIP_STRUCTURE = Set.of("_class", "_fromEntityKey", "_toEntityKey");

    private final JsonNode defs;

    private Expected(JsonNode schema) {
        this.defs = schema.path("$defs");
    }

    /** FILE, or FILE.gz (an export written with --compress gzip) decompressed. */
    static JsonNode read(Path file) {
        try {
            Path gz = file.resolveSibling(file.getFileName() + ".gz");
            if (!Files.exists(file) && Files.exists(gz)) {
                try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
                    return JSON.readTree(in);
                }
            }
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new Failure(file + ": " + e.getMessage(), e);
        }
    }

    /** graph.json's entities and relationships, typed by the schema. */
    static Graph load(Path graphJson, Path schema) {
        Expected typing = new Expected(read(schema));
        JsonNode doc = read(graphJson);
        Graph g = new Graph();
        for (JsonNode e : doc.path("entities")) {
            String key = e.path("_key").asText();
            List<String> labels = new ArrayList<>();
            labels.add(e.path("_type").asText());
            e.path("_class").forEach(c -> labels.add(c.asText()));
            g.add(new Graph.Node(key, Graph.labels(labels), typing.properties(e, NODE_STRUCTURE)));
        }
        for (JsonNode r : doc.path("relationships")) {
            g.add(new Graph.Relationship(
                    r.path("_key").asText(),
                    r.path("_class").asText(),
                    r.path("_fromEntityKey").asText(),
                    r.path("_toEntityKey").asText(),
                    typing.properties(r, RELATIONSHIP_STRUCTURE)));
        }
        return g;
    }

    /** The raw JSON properties of each entity and relationship, by `_key`, for other readers. */
    static Map<String, JsonNode> records(Path graphJson) {
        JsonNode doc = read(graphJson);
        Map<String, JsonNode> out = new TreeMap<>();
        doc.path("entities").forEach(e -> out.put(e.path("_key").asText(), e));
        doc.path("relationships").forEach(r -> out.put(r.path("_key").asText(), r));
        return out;
    }

    private Map<String, Value> properties(JsonNode record, Set<String> structure) {
        String type = record.path("_type").asText();
        String key = record.path("_key").asText();
        JsonNode def = defs.path(type);
        if (def.isMissingNode()) throw new Failure(key + ": the schema has no definition of _type " + type);
        Map<String, Value> props = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (structure.contains(p.getKey()) || p.getValue().isNull()) continue;
            JsonNode declared = def.path("properties").path(p.getKey());
            if (declared.isMissingNode()) declared = def.path("additionalProperties");
            if (!declared.isObject()) {
                throw new Failure(key + ": property " + p.getKey() + " is not in the schema of " + type);
            }
            String neo4jType = neo4jType(declared);
            props.put(p.getKey(), typed(neo4jType, p.getValue(), key, p.getKey()));
        }
        return props;
    }

    /** The Neo4j type the README promises for a JSON Schema property definition. */
    static String neo4jType(JsonNode s) {
        String ref = s.path("$ref").asText("");
        if (ref.endsWith("/datetime")) return "datetime";
        if (ref.endsWith("/date")) return "date";
        if (s.has("const")) return s.get("const").isArray() ? "string[]" : "string";
        if (s.has("enum")) return "string";
        return switch (s.path("type").asText("")) {
            case "string" -> "string";
            case "integer" -> "long";
            case "number" -> "double";
            case "boolean" -> "boolean";
            case "array" -> switch (s.path("items").path("type").asText("")) {
                case "string" -> "string[]";
                case "integer" -> "long[]";
                default -> throw new Failure("unsupported array items in the schema: " + s);
            };
            default -> throw new Failure("unsupported property definition in the schema: " + s);
        };
    }

    static Value typed(String type, JsonNode v, String key, String property) {
        boolean ok = switch (type) {
            case "string", "datetime", "date" -> v.isTextual();
            case "long" -> v.isIntegralNumber() && v.canConvertToLong();
            case "double" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "string[]" -> v.isArray() && all(v, JsonNode::isTextual);
            case "long[]" -> v.isArray() && all(v, n -> n.isIntegralNumber() && n.canConvertToLong());
            default -> false;
        };
        if (!ok) throw new Failure(key + ": graph.json's " + property + " = " + v + " is not a " + type);
        return switch (type) {
            case "string" -> Value.string(v.asText());
            case "long" -> new Value(type, v.asLong());
            case "double" -> new Value(type, v.asDouble());
            case "boolean" -> new Value(type, v.asBoolean());
            case "datetime" -> new Value(type, Value.instant(v.asText()));
            case "date" -> new Value(type, LocalDate.parse(v.asText()).toString());
            case "string[]" -> {
                List<String> list = new ArrayList<>();
                v.forEach(n -> list.add(n.asText()));
                yield new Value(type, list);
            }
            default -> {
                List<Long> list = new ArrayList<>();
                v.forEach(n -> list.add(n.asLong()));
                yield new Value(type, list);
            }
        };
    }

    private static boolean all(JsonNode array, java.util.function.Predicate<JsonNode> p) {
        for (JsonNode n : array) if (!p.test(n)) return false;
        return true;
    }
}
