package conformance;

/** A check that did not hold: the message says what, where, and what Neo4j did instead. */
final class Failure extends RuntimeException {
    Failure(String message) {
        super(message);
    }

    Failure(String message, Throwable cause) {
        super(message, cause);
    }
}
