package conformance;

import java.lang.reflect.Array;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A property value with the Neo4j type it has (or must have): {@code string}, {@code long},
 * {@code double}, {@code boolean}, {@code datetime}, {@code date}, {@code string[]}, {@code long[]},
 * ... Anything else Neo4j hands back keeps its Java class name as the type, so it can never equal
 * an expected value.
 */
record Value(String type, Object value) {

    static Value string(String s) {
        return new Value("string", s);
    }

    /** Neo4j's Java value of a property, typed as Neo4j stores it. */
    static Value of(Object v) {
        if (v instanceof String s) return new Value("string", s);
        if (v instanceof Long n) return new Value("long", n);
        if (v instanceof Double x) return new Value("double", x);
        if (v instanceof Boolean b) return new Value("boolean", b);
        if (v instanceof ZonedDateTime t) {
            // A datetime in a zone other than UTC is a different value even at the same instant.
            String type = t.getOffset().getTotalSeconds() == 0 && t.getZone().getId().matches("Z|UTC")
                    ? "datetime"
                    : "datetime[" + t.getZone() + "]";
            return new Value(type, instant(t.toInstant()));
        }
        if (v instanceof LocalDate d) return new Value("date", d.toString());
        if (v instanceof String[] a) return new Value("string[]", List.of(a));
        if (v instanceof long[] a) {
            List<Long> list = new ArrayList<>();
            for (long n : a) list.add(n);
            return new Value("long[]", list);
        }
        if (v != null && v.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) list.add(Array.get(v, i));
            return new Value(v.getClass().getComponentType().getSimpleName() + "[]", list);
        }
        return new Value(v == null ? "null" : v.getClass().getName(), v);
    }

    /** The canonical text of an instant (ISO 8601, UTC, as many fraction digits as it has). */
    static String instant(Instant i) {
        return DateTimeFormatter.ISO_INSTANT.format(i);
    }

    /** The canonical text of an ISO 8601 datetime string. */
    static String instant(String iso) {
        return instant(Instant.parse(iso));
    }

    boolean isArray() {
        return type.endsWith("[]");
    }

    @Override
    public String toString() {
        return type + " " + render(value);
    }

    private static String render(Object v) {
        if (v instanceof String s) return quote(s);
        if (v instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object o : list) items.add(render(o));
            return "[" + String.join(", ", items) + "]";
        }
        return String.valueOf(v);
    }

    /** A string as a readable literal: control characters and non-ASCII spaces escaped. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') out.append('\\').appendCodePoint(c);
            else if (c < 0x20 || c == 0x7f || Character.isSpaceChar(c) && c != ' ') out.append(String.format("\\u%04X", c));
            else out.appendCodePoint(c);
        });
        return out.append('"').toString();
    }
}
