package dev.jobq.cli;

/**
 * The keys of an SQS provider section whose endpoint nothing listens on (port 1): building or reading its queue fails
 * as in an outage, after the SDK's retries.
 */
public final class UnreachableSqs {

    private UnreachableSqs() {
    }

    /** The section's keys, one per line, each indented by {@code indent} spaces; no line break after the last. */
    public static String keys(int indent) {
        String keys = """
                type: sqs
                region: us-east-1
                endpoint: http://127.0.0.1:1
                accessKeyId: test
                secretAccessKey: test
                queueUrl: http://127.0.0.1:1/000000000000/jobs
                deadLetter: discard
                """.indent(indent);
        return keys.substring(0, keys.length() - 1);
    }

    /**
     * A config file whose default queue is on the memory provider and whose queue {@code remote} is on this
     * unreachable SQS: another queue's provider out of reach.
     */
    public static String remoteBesideMemory() {
        return """
                provider:
                  type: memory
                queues:
                  remote:
                %s
                """.formatted(keys(4));
    }
}
