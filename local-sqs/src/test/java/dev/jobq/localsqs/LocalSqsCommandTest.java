package dev.jobq.localsqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The {@code local-sqs} command's answers to bad usage (its help: "2 on bad usage"): one line naming the option, the
 * value and what it takes, exit 2, and no stack trace. Only commands that fail before they serve run here: one that
 * starts runs until the JVM stops.
 */
class LocalSqsCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = new CommandLine(new LocalSqsCommand());
        command.setErr(new PrintWriter(err, true));
        command.setOut(new PrintWriter(new StringWriter(), true));
        return command.execute(args);
    }

    @Test
    @DisplayName("a port out of range is a usage error naming --port and the value")
    void portOutOfRangeIsAUsageError() {
        int status = run("--port", "70000");

        assertThat(err.toString()).contains("--port").contains("70000").contains("65535").doesNotContain("\tat ");
        assertThat(status).isEqualTo(2);
    }

    /** picocli read --port as an int: a whole number past an int's range was "not an int", and the range went unsaid. */
    @Test
    @DisplayName("a port past an int's range is a usage error naming --port, the value and the range")
    void portPastAnIntIsAUsageErrorNamingTheRange() {
        int status = run("--port", "99999999999");

        assertThat(err.toString()).contains("--port must be between 0 and 65535, got 99999999999")
                .doesNotContain("not an int").doesNotContain("\tat ");
        assertThat(status).isEqualTo(2);
    }

    @Test
    @DisplayName("a port that is no number is a usage error naming --port, the value and how to write one")
    void portThatIsNoNumberIsAUsageError() {
        int status = run("--port", "abc");

        assertThat(err.toString()).contains("--port").contains("'abc' is not a whole number").contains("9324")
                .doesNotContain("\tat ");
        assertThat(status).isEqualTo(2);
    }

    @Test
    @DisplayName("a queue name SQS refuses is a usage error naming --queue, the name and the rule, before a server starts")
    void queueNameSqsRefusesIsAUsageError() {
        int status = run("--port", "0", "--queue", "my jobs");

        assertThat(err.toString()).contains("--queue").contains("'my jobs'").contains("hyphens")
                .doesNotContain("\tat ");
        assertThat(status).isEqualTo(2);
    }

    @Test
    @DisplayName("a queue name that leaves no room for its dead-letter queue's -dlq is a usage error")
    void queueNameTooLongForItsDeadLetterQueueIsAUsageError() {
        String name = "q".repeat(78);

        int status = run("--port", "0", "--queue", name);

        assertThat(err.toString()).contains("--queue").contains(name + "-dlq").contains("80").doesNotContain("\tat ");
        assertThat(status).isEqualTo(2);
    }

    @Test
    @DisplayName("a --host that does not resolve is a usage error naming --host, the value and the fix, not a taken port")
    void hostThatDoesNotResolveIsAUsageError() {
        int status = run("--port", "0", "--host", "no-such-host.invalid");

        assertThat(err.toString()).contains("--host 'no-such-host.invalid' does not resolve").contains("127.0.0.1")
                .doesNotContain("another local-sqs").doesNotContain("\tat ");
        assertThat(status).isEqualTo(2);
    }

    @Test
    @DisplayName("a --host that is not an address of this machine is a usage error naming --host, the value and the fix")
    void hostNotOfThisMachineIsAUsageError() {
        int status = run("--port", "0", "--host", "192.0.2.1");

        assertThat(err.toString()).contains("--host '192.0.2.1' is not an address of this machine").contains("127.0.0.1")
                .doesNotContain("another local-sqs").doesNotContain("\tat ");
        assertThat(status).isEqualTo(2);
    }

    @Test
    @DisplayName("an empty --host is a usage error naming --host and the fix, not a stack trace")
    void emptyHostIsAUsageError() {
        int status = run("--port", "0", "--host", "");

        assertThat(err.toString()).contains("--host ''").contains("127.0.0.1").doesNotContain("\tat ");
        assertThat(status).isEqualTo(2);
    }

    /**
     * ElasticMQ writes the address it binds into its queue URLs: with --host 0.0.0.0 the endpoint, the queue URLs and
     * the jobq.yaml printed all named 0.0.0.0, which a client on another machine or in a container takes for its own
     * address, with nothing said.
     */
    @Test
    @DisplayName("with --host 0.0.0.0 the URLs printed say that they reach the server from this machine only, and "
            + "what to put in their place")
    void everyAddressSaysWhatReachesIt() throws Exception {
        var out = new StringWriter();
        try (LocalSqs sqs = LocalSqs.start("0.0.0.0", 0)) {
            LocalSqsCommand.printStarted(new PrintWriter(out, true), sqs, sqs.createQueues("wild"), "0.0.0.0");
        }

        assertThat(out.toString()).contains("local-sqs: queue wild  http://0.0.0.0:")
                .contains("local-sqs: note: --host 0.0.0.0 listens on every address of this machine, but the URLs "
                        + "above and the jobq.yaml below name 0.0.0.0, which reaches this server only from this machine")
                .contains(java.net.InetAddress.getLocalHost().getHostName());
        var loopback = new StringWriter();
        try (LocalSqs sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0)) {
            LocalSqsCommand.printStarted(new PrintWriter(loopback, true), sqs, sqs.createQueues("here"),
                    LocalSqs.DEFAULT_HOST);
        }
        assertThat(loopback.toString()).contains("local-sqs: queue here  http://127.0.0.1:").doesNotContain("note:");
    }
}
