package kb4graph.conformance;

import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.shacl.validation.ReportEntry;
import org.apache.jena.sparql.graph.GraphFactory;
import org.apache.jena.sparql.path.P_Link;

/**
 * jena-shacl validates rdf/graph.nt of each export directory, with the ontology added to the
 * data (as pyshacl's ont_graph does), against the shapes. For each directory it prints `# DIR`,
 * then one line per result: focus IRI, path IRI and constraint component IRI, tab-separated.
 *
 * <p>Shacl SHAPES ONTOLOGY DIR...
 */
public final class Shacl {
    public static void main(String[] args) {
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[0]));
        Graph ontology = RDFDataMgr.loadGraph(args[1]);
        for (int i = 2; i < args.length; i++) {
            Graph data = GraphFactory.createDefaultGraph();
            RDFDataMgr.read(data, args[i] + "/rdf/graph.nt");
            ontology.find().forEach(data::add);
            ValidationReport report = ShaclValidator.get().validate(shapes, data);
            System.out.println("# " + args[i]);
            for (ReportEntry entry : report.getEntries()) {
                String path = entry.resultPath() instanceof P_Link link ? link.getNode().getURI() : String.valueOf(entry.resultPath());
                System.out.println(iri(entry.focusNode()) + "\t" + path + "\t" + iri(entry.sourceConstraintComponent()));
            }
        }
    }

    private static String iri(Node node) {
        return node.isURI() ? node.getURI() : node.toString();
    }
}
