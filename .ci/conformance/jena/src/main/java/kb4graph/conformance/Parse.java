package kb4graph.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.riot.system.ErrorHandler;
import org.apache.jena.riot.system.StreamRDFLib;
import org.apache.jena.riot.lang.StreamRDFCounting;

/**
 * RIOT parses rdf/graph.nt, .ttl and .nq of an export strictly; a warning is a failure, and each
 * file must hold as many statements as kb4graph wrote (a line each in .nt and .nq).
 *
 * <p>Parse EXPORT_DIR
 */
public final class Parse {
    /** Fails on warnings too: RIOT's default handler only logs them. */
    private static final ErrorHandler STRICT = new ErrorHandler() {
        @Override
        public void warning(String message, long line, long col) {
            throw new IllegalStateException("warning at line " + line + ", column " + col + ": " + message);
        }

        @Override
        public void error(String message, long line, long col) {
            throw new IllegalStateException("error at line " + line + ", column " + col + ": " + message);
        }

        @Override
        public void fatal(String message, long line, long col) {
            throw new IllegalStateException("fatal at line " + line + ", column " + col + ": " + message);
        }
    };

    public static void main(String[] args) throws IOException {
        Path rdf = Path.of(args[0], "rdf");
        long triples = lines(rdf.resolve("graph.nt"));
        long quads = lines(rdf.resolve("graph.nq"));
        check(rdf.resolve("graph.nt"), Lang.NTRIPLES, triples);
        check(rdf.resolve("graph.ttl"), Lang.TURTLE, triples);
        check(rdf.resolve("graph.nq"), Lang.NQUADS, quads);
    }

    private static long lines(Path file) throws IOException {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }

    private static void check(Path file, Lang lang, long expected) {
        StreamRDFCounting counter = StreamRDFLib.count();
        long start = System.nanoTime();
        try {
            RDFParser.source(file).lang(lang).strict(true).errorHandler(STRICT).parse(counter);
        } catch (RuntimeException e) {
            fail(file + " (" + lang.getName() + "): " + e.getMessage());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        long got = counter.count();
        if (got != expected) {
            fail(file + " (" + lang.getName() + "): RIOT read " + got + " statements, kb4graph wrote " + expected);
        }
        System.out.println("jena riot: " + file.getFileName() + " (" + lang.getName() + "): " + got
                + " statements, strict, no warning, " + ms + " ms");
    }

    private static void fail(String message) {
        System.err.println("jena riot: FAIL: " + message);
        System.exit(1);
    }
}
