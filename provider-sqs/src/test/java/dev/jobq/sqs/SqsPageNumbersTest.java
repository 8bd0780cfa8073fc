package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The numbers docs/sqs.md gives for the provider's limits and timings, each read from the page by the words
 * around it and held against the constant the code uses, so that neither drifts alone. A phrase that
 * matches nowhere fails too: a rewording must keep its number checked.
 */
class SqsPageNumbersTest {

    static String page() throws IOException {
        return ProjectDocs.read("docs/sqs.md").replaceAll("\\s+", " ");
    }

    record Claim(String what, String regex, Object expected) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static final String D = "(\\d+ ?(?:ms|s|m|min|h)|\\d+h\\d+m)";

    static List<Claim> claims() {
        return List.of(
                new Claim("the longest long poll", "SQS caps one poll at " + D, SqsSettings.MAX_WAIT_TIME),
                new Claim("waitTime's default", "\\(at most `waitTime`, " + D + "\\)", SqsSettings.DEFAULT_WAIT_TIME),
                new Claim("messages per receive", "long poll, up to (\\d+) messages", Batcher.MAX_ENTRIES),
                new Claim("entries per batch call", "\\| (\\d+) entries per batch call", Batcher.MAX_ENTRIES),
                new Claim("heartbeats per batch", "go out in batches of (ten)", Batcher.MAX_ENTRIES),
                new Claim("the longest delay SQS holds", "a per-message delay of at most " + D, SqsQueueProvider.MAX_DELAY),
                new Claim("the longest delay, in the quoted refusal", "can hold \\(at most " + D + "\\)",
                        SqsQueueProvider.MAX_DELAY),
                new Claim("the longest timeout", "a job `timeout` over " + D + " is refused", Lease.MAX_TIMEOUT),
                new Claim("the longest timeout, in the quoted refusal", "from being delivered again \\(" + D + ":",
                        Lease.MAX_TIMEOUT),
                new Claim("the longest timeout, in the quoted WARN of another producer's longer timeout",
                        "longer than the " + D + " a job on SQS may have", Lease.MAX_TIMEOUT),
                new Claim("the longest timeout, in that failure's fix",
                        "give it a timeout of at most " + D + ", or split", Lease.MAX_TIMEOUT),
                new Claim("the longest invisibility", "invisible at most " + D + " from its receive", Lease.MAX_VISIBILITY),
                new Claim("the room kept for a dead-letter copy", "(\\d+) KiB of it is kept for the attributes",
                        OutgoingMessage.DEAD_LETTER_RESERVE / 1024),
                new Claim("the room kept for it, under Dead letters", "jobq's own messages keep (\\d+) KiB free",
                        OutgoingMessage.DEAD_LETTER_RESERVE / 1024),
                new Claim("the room kept for the scheduler's rewrite", "with (\\d+) bytes more kept for the times",
                        OutgoingMessage.REWRITE_RESERVE),
                new Claim("the default payload limit", "message size \\((\\d+) MiB;", SqsSettings.DEFAULT_MAX_PAYLOAD_BYTES
                        / (1024 * 1024)),
                new Claim("the limit of a queue that keeps the old limit, in the quoted refusal",
                        "over the (\\d+)-byte limit of provider 'sqs'",
                        SqsSettings.MIN_MAX_PAYLOAD_BYTES - OutgoingMessage.DEAD_LETTER_RESERVE),
                new Claim("the size of such a queue, in the quoted refusal",
                        "of queue 'default': (\\d+) bytes, the lowest of maxPayloadBytes",
                        SqsSettings.MIN_MAX_PAYLOAD_BYTES),
                new Claim("the old payload limit", "; (\\d+) KiB on queues that keep the old limit",
                        SqsSettings.MIN_MAX_PAYLOAD_BYTES / 1024),
                new Claim("the deduplication window", "deduplication on FIFO queues only, for (\\d+) minutes",
                        (int) FifoDeduplication.WINDOW.toMinutes()),
                new Claim("the deduplication window, again", "within (\\d+) minutes of the first",
                        (int) FifoDeduplication.WINDOW.toMinutes()),
                new Claim("an entry's attempts", "up to (four) attempts in all", QueueCalls.MAX_ENTRY_ATTEMPTS),
                new Claim("an entry's attempts, in the quoted error", "\\(tried (\\d+) times; SQS failed it",
                        QueueCalls.MAX_ENTRY_ATTEMPTS),
                new Claim("an entry's first pause", "sent again after a pause of " + D + " doubling",
                        QueueCalls.ENTRY_RETRY_BASE),
                new Claim("a throttled entry's first pause", "\\(" + D + " for throttling", QueueCalls.THROTTLED_RETRY_BASE),
                new Claim("the connect timeout", "connecting is given up after " + D, SqsConnection.CONNECT_TIMEOUT),
                new Claim("the connect timeout, in the quoted error", "could not connect to <endpoint> within " + D,
                        SqsConnection.CONNECT_TIMEOUT),
                new Claim("the connect timeout, when unreachable", "each connection given up after " + D,
                        SqsConnection.CONNECT_TIMEOUT),
                new Claim("requestTimeout's default", "`requestTimeout` \\(" + D + " by default", SqsSettings.DEFAULT_REQUEST_TIMEOUT),
                new Claim("requestTimeout's default, in the quoted error", "within requestTimeout " + D + ", each",
                        SqsSettings.DEFAULT_REQUEST_TIMEOUT),
                new Claim("an unanswered poll's margin", "is given up " + D + " after its own wait ended",
                        SqsQueueProvider.POLL_ANSWER_MARGIN),
                new Claim("an unanswered poll's margin, in the quoted WARN", "did not end within " + D + " after its wait",
                        SqsQueueProvider.POLL_ANSWER_MARGIN),
                new Claim("a settle's wait for a heartbeat", "for at most " + D + ": one SQS does not answer",
                        SqsQueueProvider.HEARTBEAT_WAIT),
                new Claim("a stalled heartbeat batch's wait", "heartbeat batch on the wire has been out " + D,
                        QueueCalls.HEARTBEAT_STALL),
                new Claim("batches on the wire at once", "at most (\\d+) batches at once", Batcher.MAX_IN_FLIGHT),
                new Claim("the soonest second call of a heartbeat", "a third into the lease \\(at least " + D,
                        SqsSettings.MIN_REQUEST_TIMEOUT),
                new Claim("the error a dead-letter copy keeps", "cut to (\\d+) characters", DeadLetterCopies.MAX_ERROR_CHARS),
                new Claim("the error a tight copy keeps", "the error beyond its first (\\d+) bytes",
                        DeadLetterCopies.MIN_ERROR_BYTES),
                new Claim("message attributes", "at most (\\d+) message attributes", OutgoingMessage.MAX_ATTRIBUTES),
                new Claim("the maxReceiveCount warned of", "at or below the default (\\d+) attempts",
                        JobOptions.DEFAULT_MAX_ATTEMPTS),
                new Claim("a newer envelope's deliveries", "dead-lettered the same way on its (third) delivery",
                        JobOptions.DEFAULT_MAX_ATTEMPTS));
    }

    private static Object read(String value, Object expected) {
        return switch (expected) {
            case Duration d -> {
                Matcher hm = Pattern.compile("(\\d+)h(\\d+)m").matcher(value);
                if (hm.matches()) {
                    yield Duration.ofHours(Long.parseLong(hm.group(1))).plusMinutes(Long.parseLong(hm.group(2)));
                }
                Matcher one = Pattern.compile("(\\d+) ?(ms|s|m|min|h)").matcher(value);
                assertThat(one.matches()).as(value).isTrue();
                long n = Long.parseLong(one.group(1));
                yield switch (one.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m", "min" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            case Integer i -> switch (value) {
                case "ten" -> 10;
                case "four" -> 4;
                case "third" -> 3;
                default -> Integer.parseInt(value);
            };
            default -> throw new AssertionError(expected);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("claims")
    void theNumberThePageGivesIsTheCodes(Claim claim) throws IOException {
        Matcher found = Pattern.compile(claim.regex()).matcher(page());
        List<String> values = new ArrayList<>();
        while (found.find()) {
            values.add(found.group(1));
        }
        assertThat(values).as("docs/sqs.md gives %s in words matching /%s/", claim.what(), claim.regex()).isNotEmpty();
        for (String value : values) {
            assertThat(read(value, claim.expected())).as("docs/sqs.md's %s ('%s')", claim.what(), value)
                    .isEqualTo(claim.expected());
        }
    }

    @Test
    void configurationsRequestTimeoutRowSaysWhatAHeartbeatsCallIsCutAt() throws IOException {
        String row = ProjectDocs.read("docs/configuration.md").lines().filter(line -> line.startsWith("| `requestTimeout` |"))
                .findFirst().orElseThrow(() -> new AssertionError("docs/configuration.md has no requestTimeout row"));
        Matcher said = Pattern.compile("a heartbeat's: (two thirds|a half|a third) of the shortest lease its batch sets, "
                + "the time a heartbeat has left, when that is lower").matcher(row);
        assertThat(said.find()).as("docs/configuration.md's requestTimeout row says what a heartbeat's call is cut at, "
                + "as it says a ReceiveMessage's: %s", row).isTrue();
        Duration lease = Duration.ofSeconds(30);
        Duration expected = switch (said.group(1)) {
            case "two thirds" -> lease.multipliedBy(2).dividedBy(3);
            case "a half" -> lease.dividedBy(2);
            default -> lease.dividedBy(3);
        };
        assertThat(QueueCalls.heartbeatTimeLeft(30)).as("the cut of a heartbeat of a 30 s lease").isEqualTo(expected);
    }

    @Test
    void configurationsRequestTimeoutRowSaysWhenConnectingIsGivenUp() throws IOException {
        String row = ProjectDocs.read("docs/configuration.md").lines().filter(line -> line.startsWith("| `requestTimeout` |"))
                .findFirst().orElseThrow(() -> new AssertionError("docs/configuration.md has no requestTimeout row"));
        Matcher said = Pattern.compile("Connecting has its own (?:fixed )?limit, " + D + " per attempt(?: \\(a quarter "
                + "of this under it, at least " + D + " under, when that is lower)?").matcher(row);
        assertThat(said.find()).as("docs/configuration.md's requestTimeout row says when connecting is given up: %s", row)
                .isTrue();
        Duration limit = (Duration) read(said.group(1), SqsConnection.CONNECT_TIMEOUT);
        Duration under = said.group(2) == null ? null : (Duration) read(said.group(2), SqsConnection.CONNECT_TIMEOUT);
        for (Duration requestTimeout : List.of(SqsSettings.MIN_REQUEST_TIMEOUT, Duration.ofMillis(500),
                Duration.ofSeconds(2), SqsSettings.DEFAULT_REQUEST_TIMEOUT)) {
            Duration margin = under == null ? Duration.ZERO
                    : requestTimeout.dividedBy(4).compareTo(under) > 0 ? requestTimeout.dividedBy(4) : under;
            Duration paged = under != null && requestTimeout.minus(margin).compareTo(limit) < 0
                    ? requestTimeout.minus(margin) : limit;
            assertThat(paged).as("the connect limit docs/configuration.md gives for a requestTimeout of %s",
                    requestTimeout).isEqualTo(SqsConnection.connectTimeout(requestTimeout));
        }
    }

    @Test
    void aDeduplicationKeyIsSentAsItselfExactlyWhenThePageSaysSqsTakesIt() throws IOException {
        Matcher said = Pattern.compile("the key itself when SQS takes it — (\\d+) to (\\d+) printable ASCII characters"
                + "( without spaces)? — else `sha256:`").matcher(page());
        assertThat(said.find()).as("docs/sqs.md says which keys are sent as they are").isTrue();
        int shortest = Integer.parseInt(said.group(1));
        int longest = Integer.parseInt(said.group(2));
        boolean spaces = said.group(3) == null;
        for (char c = 0x20; c <= 0x7E; c++) {
            String key = String.valueOf(c).repeat(shortest);
            boolean asItself = c != ' ' || spaces;
            assertThat(OutgoingMessage.sqsId(key)).as("the key '%s', which docs/sqs.md says is sent %s", key,
                    asItself ? "as itself" : "hashed").isEqualTo(asItself ? key : OutgoingMessage.sqsId(key))
                    .startsWith(asItself ? key : "sha256:");
        }
        assertThat(OutgoingMessage.sqsId("k".repeat(longest))).isEqualTo("k".repeat(longest));
        assertThat(OutgoingMessage.sqsId("k".repeat(longest + 1))).startsWith("sha256:");
        assertThat(OutgoingMessage.sqsId("clé")).startsWith("sha256:");
    }
}
