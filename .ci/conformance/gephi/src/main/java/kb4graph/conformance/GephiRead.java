package kb4graph.conformance;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.File;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import org.gephi.graph.api.Column;
import org.gephi.graph.api.Edge;
import org.gephi.graph.api.Element;
import org.gephi.graph.api.GraphController;
import org.gephi.graph.api.GraphModel;
import org.gephi.graph.api.Node;
import org.gephi.graph.api.Table;
import org.gephi.io.importer.api.Container;
import org.gephi.io.importer.api.EdgeDirectionDefault;
import org.gephi.io.importer.api.EdgeMergeStrategy;
import org.gephi.io.importer.api.ImportController;
import org.gephi.io.importer.api.Issue;
import org.gephi.io.processor.plugin.DefaultProcessor;
import org.gephi.project.api.ProjectController;
import org.gephi.project.api.Workspace;
import org.openide.util.Lookup;

/**
 * Imports a GraphML file the way Gephi does (its GraphML importer, then its default processor
 * into a workspace) and writes what the workspace holds as JSON: every import issue, every column
 * with its Java type, every node and edge with its id, label and attribute values, each value
 * with the Java class Gephi gave it. Nothing here knows kb4graph's layout: graphml_gephi.py
 * compares the dump with json/graph.json.
 *
 * <p>Parallel edges are kept (the importer merges them by default), since one user can be
 * enrolled in one module more than once.
 *
 * <pre>java -cp ... kb4graph.conformance.GephiRead GRAPH.graphml OUT.json</pre>
 */
public final class GephiRead {
    private GephiRead() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: GephiRead GRAPH.graphml OUT.json");
            System.exit(2);
        }
        File input = new File(args[0]);
        long started = System.nanoTime();

        ProjectController projects = Lookup.getDefault().lookup(ProjectController.class);
        projects.newProject();
        Workspace workspace = projects.getCurrentWorkspace();
        ImportController importer = Lookup.getDefault().lookup(ImportController.class);
        Container container = importer.importFile(input);
        if (container == null) {
            System.err.println("Gephi found no importer for " + input);
            System.exit(1);
        }
        // The report is emptied once the container is processed.
        String report = container.getReport().getText();
        List<Issue> issues = new ArrayList<>(container.getReport().getIssuesList(Integer.MAX_VALUE));
        container.getLoader().setEdgeDefault(EdgeDirectionDefault.DIRECTED);
        container.getLoader().setAllowParallelEdge(true);
        container.getLoader().setEdgesMergeStrategy(EdgeMergeStrategy.NO_MERGE);
        container.getLoader().setAllowAutoNode(false);
        importer.process(container, new DefaultProcessor(), workspace);
        GraphModel model = Lookup.getDefault().lookup(GraphController.class).getGraphModel(workspace);
        double seconds = (System.nanoTime() - started) / 1e9;

        JsonFactory json = new JsonFactory();
        try (JsonGenerator out = json.createGenerator(new File(args[1]), JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeNumberField("seconds", seconds);
            out.writeBooleanField("multiGraph", container.isMultiGraph());
            out.writeArrayFieldStart("issues");
            for (Issue.Level level : new Issue.Level[] {Issue.Level.INFO, Issue.Level.WARNING,
                    Issue.Level.SEVERE, Issue.Level.CRITICAL}) {
                for (Issue issue : issues) {
                    if (issue.getLevel() == level) {
                        out.writeStartObject();
                        out.writeStringField("level", level.name());
                        out.writeStringField("message", issue.getMessage());
                        out.writeEndObject();
                    }
                }
            }
            out.writeEndArray();
            out.writeStringField("report", report);
            List<Column> nodeColumns = columns(out, "nodeColumns", model.getNodeTable());
            List<Column> edgeColumns = columns(out, "edgeColumns", model.getEdgeTable());
            out.writeArrayFieldStart("nodes");
            for (Node node : model.getGraph().getNodes()) {
                out.writeStartObject();
                element(out, node, nodeColumns);
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeArrayFieldStart("edges");
            for (Edge edge : model.getGraph().getEdges()) {
                out.writeStartObject();
                out.writeStringField("source", String.valueOf(edge.getSource().getId()));
                out.writeStringField("target", String.valueOf(edge.getTarget().getId()));
                out.writeBooleanField("directed", edge.isDirected());
                element(out, edge, edgeColumns);
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        }
        System.out.printf("Gephi toolkit imported %s in %.2fs: %d nodes, %d edges%n", input,
                seconds, model.getGraph().getNodeCount(), model.getGraph().getEdgeCount());
        // The toolkit leaves non-daemon threads behind.
        System.exit(0);
    }

    /** Writes the table's columns (id, title, type) and returns them, properties left out. */
    private static List<Column> columns(JsonGenerator out, String field, Table table) throws Exception {
        List<Column> kept = new ArrayList<>();
        out.writeArrayFieldStart(field);
        for (Column c : table) {
            out.writeStartObject();
            out.writeStringField("id", c.getId());
            out.writeStringField("title", c.getTitle());
            out.writeStringField("type", c.getTypeClass().getSimpleName());
            out.writeBooleanField("property", c.isProperty());
            out.writeEndObject();
            if (!c.isProperty()) {
                kept.add(c);
            }
        }
        out.writeEndArray();
        return kept;
    }

    private static void element(JsonGenerator out, Element e, List<Column> columns) throws Exception {
        out.writeStringField("id", String.valueOf(e.getId()));
        if (e.getLabel() == null) {
            out.writeNullField("label");
        } else {
            out.writeStringField("label", e.getLabel());
        }
        out.writeObjectFieldStart("attributes");
        for (Column c : columns) {
            Object v = e.getAttribute(c);
            out.writeFieldName(c.getTitle());
            value(out, v);
        }
        out.writeEndObject();
    }

    /** A value as {"t": its Java class, "v": the value}; null as null. */
    private static void value(JsonGenerator out, Object v) throws Exception {
        if (v == null) {
            out.writeNull();
            return;
        }
        out.writeStartObject();
        out.writeStringField("t", v.getClass().getSimpleName());
        out.writeFieldName("v");
        scalar(out, v);
        out.writeEndObject();
    }

    private static void scalar(JsonGenerator out, Object v) throws Exception {
        if (v instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            out.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                out.writeNumber(d);
            } else {
                out.writeString(String.valueOf(d));
            }
        } else if (v.getClass().isArray()) {
            out.writeStartArray();
            for (int i = 0; i < Array.getLength(v); i++) {
                scalar(out, Array.get(v, i));
            }
            out.writeEndArray();
        } else {
            out.writeString(v.toString());
        }
    }
}
