package kb4graph.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.riot.system.ErrorHandler;
import org.apache.jena.riot.system.StreamRDFLib;
import org.apache.jena.riot.lang.StreamRDFCounting;

/**
 * RIOT parses rdf/graph.nt, .ttl and .nq of an export strictly; a warning is a failure, and each
 * file must hold as many statements as kb4graph wrote (a line each in .nt and .nq). In an export
 * written with --compress gzip the files are graph.nt.gz and so on, which RIOT decompresses itself
 * (by the name), as it would for a user.
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
        long triples = lines(file(rdf, "graph.nt"));
        long quads = lines(file(rdf, "graph.nq"));
        check(file(rdf, "graph.nt"), Lang.NTRIPLES, triples);
        check(file(rdf, "graph.ttl"), Lang.TURTLE, triples);
        check(file(rdf, "graph.nq"), Lang.NQUADS, quads);
    }

    /** NAME, or NAME.gz in a compressed export. */
    private static Path file(Path rdf, String name) {
        Path plain = rdf.resolve(name);
        return Files.exists(plain) ? plain : rdf.resolve(name + ".gz");
    }

    private static long lines(Path file) throws IOException {
        var in = Files.newInputStream(file);
        var text = file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
        try (var lines = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8)).lines()) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }

    private static void check(Path file, Lang lang, long expected) {
        StreamRDFCounting counter = StreamRDFLib.count();
        long start = System.nanoTime();
        try {
            // By name, as riot takes a file: RIOT decompresses a .gz itself.
            RDFParser.source(file.toString()).lang(lang).strict(true).errorHandler(STRICT).parse(counter);
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
