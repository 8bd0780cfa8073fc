package dev.jobq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The builder rejects what the config file rejects, with the same rule, when it is set. */
class JobQueueBuilderTest {

    @Test
    @DisplayName("a pollInterval below 1ms is rejected: an idle worker would poll in a hot loop")
    void rejectsPollIntervalBelowOneMillisecond() {
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().pollInterval(Duration.ZERO))
                .withMessage("pollInterval must be ≥ 1ms, got 0s: it is the longest a receive waits before the worker "
                        + "looks again; below 1ms an idle worker polls in a hot loop");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().pollInterval(Duration.ofSeconds(-1)))
                .withMessageStartingWith("pollInterval must be ≥ 1ms, got -1000ms");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().pollInterval(Duration.ofHours(2)))
                .withMessage("pollInterval must be ≤ 1h, got 2h");
        // not "got 0ms", which reads as if zero had been given
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().pollInterval(Duration.ofNanos(500_000)))
                .withMessageStartingWith("pollInterval must be ≥ 1ms, got PT0.0005S: ");
        assertThat(JobQueue.builder().pollInterval(Duration.ofMillis(1))).isNotNull();
    }

    @Test
    @DisplayName("a negative shutdownTimeout is rejected; zero is accepted")
    void rejectsNegativeShutdownTimeout() {
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().shutdownTimeout(Duration.ofSeconds(-1)))
                .withMessage("shutdownTimeout must be ≥ 0s, got -1000ms: use Duration.ZERO to release running jobs at "
                        + "once on close()");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().shutdownTimeout(Duration.ofSeconds(Long.MIN_VALUE)))
                .withMessageStartingWith("shutdownTimeout must be ≥ 0s, got PT-2562047788015215H-30M-8S: ");
        // not "got 0ms", which reads as the zero it accepts
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().shutdownTimeout(Duration.ofNanos(-1)))
                .withMessageStartingWith("shutdownTimeout must be ≥ 0s, got PT-0.000000001S: ");
        assertThat(JobQueue.builder().shutdownTimeout(Duration.ZERO)).isNotNull();
    }

    @Test
    @DisplayName("a pollInterval or shutdownTimeout past its maximum by less than a millisecond is shown as given, in "
            + "ISO-8601, not cut to the maximum it is refused as beyond")
    void aDurationPastTheMaximumByLessThanAMillisecondIsNotShownAsTheMaximum() {
        // PT1H0.0005S was refused as "must be ≤ 1h, got 1h", which is within it
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().pollInterval(Duration.ofHours(1).plusNanos(500_000)))
                .withMessage("pollInterval must be ≤ 1h, got PT1H0.0005S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().shutdownTimeout(Duration.ofDays(1).plusNanos(1)))
                .withMessage("shutdownTimeout must be ≤ 1d, got PT24H0.000000001S");
        // under the minimum by less than a millisecond: exact too
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().pollInterval(Duration.ofNanos(999_999)))
                .withMessageStartingWith("pollInterval must be ≥ 1ms, got PT0.000999999S: ");
    }

    @Test
    @DisplayName("a queue listed twice in workerQueues is rejected, as worker.queues in the file")
    void rejectsAQueueListedTwice() {
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().workerQueues("default", "default"))
                .withMessage("workerQueues lists 'default' twice; list each queue once, in the order they are served");
        assertThat(JobQueue.builder().workerQueues("critical", "default")).isNotNull();
    }

    @Test
    @DisplayName("workerQueues() with no queue is rejected, as an empty worker.queues in the file, not read as every queue")
    void rejectsNoQueue() {
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().workerQueues())
                .withMessage("workerQueues: no queue given; list the queues this worker consumes, or leave workerQueues "
                        + "out to consume every configured queue");
    }

    @Test
    @DisplayName("a null or blank queue name is refused saying which it was and what to give, as a job type is")
    void aNullOrBlankQueueNameIsRefusedNamingWhatWasGivenAndTheFix() {
        // both said "queue name must not be blank": "blank" for null, no value, no fix
        String fix = "; name the queue, such as \"reports\"";
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().queue(null, "memory", java.util.Map.of()))
                .withMessage("queue name must not be null" + fix);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().queue("\t\n", "memory", java.util.Map.of()))
                .withMessage("queue name must not be blank, got \"\\t\\n\"" + fix);
    }

    @Test
    @DisplayName("a queue name with a control character is refused, escaped, as in the file; a bidi override is taken")
    void refusesAQueueNameWithAControlCharacter() {
        String fix = "; name the queue without line breaks, tabs or other control characters, such as \"reports\"";
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().queue("rep\u001borts", "memory", java.util.Map.of()))
                .withMessage("queue name 'rep\\u001borts' has a control character (shown escaped)" + fix);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().queue("audit\n", (dev.jobq.spi.QueueProvider) null))
                .withMessage("queue name 'audit\\n' has a control character (shown escaped)" + fix);
        assertThat(JobQueue.builder().queue("rep\u202eorts", "memory", java.util.Map.of())).isNotNull();
        // a name workerQueues lists is never configured then; the refusals repeated it raw
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().workerQueues("a\nb", "a\nb"))
                .withMessage("workerQueues lists 'a\\nb' twice; list each queue once, in the order they are served");
        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> JobQueue.builder().workerQueues("default", "rep\u001borts").build())
                .withMessage("configuration: workerQueues: 'rep\\u001borts' is not a configured queue (configured: "
                        + "default); add it with JobQueue.builder().queue(...) or under queues: in the file, or leave it out of "
                        + "workerQueues");
    }

    @Test
    @DisplayName("a queue name longer than the 255 characters the scheduler holds is rejected, as in the file")
    void rejectsAQueueNameLongerThan255Characters() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().queue("q".repeat(256), "memory", java.util.Map.of()))
                .withMessage("queue name may have at most 255 characters (what the scheduler holds), got 256: '"
                        + "q".repeat(60) + "…'; choose a shorter name");
        assertThat(JobQueue.builder().queue("q".repeat(255), "memory", java.util.Map.of())).isNotNull();
        // its start was repeated raw: a newline in it started a line of its own, and an emoji straddling the cut left
        // its first half ('\ud83d', '?' in a log)
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobQueue.builder().queue("a\nb" + "q".repeat(300), "memory", java.util.Map.of()))
                .withMessageEndingWith("got 303: 'a\\nb" + "q".repeat(57) + "…'; choose a shorter name");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder()
                        .queue("q".repeat(59) + "\uD83D\uDE00" + "q".repeat(200), "memory", java.util.Map.of()))
                .withMessageEndingWith("got 261: '" + "q".repeat(59) + "…'; choose a shorter name");
    }
}
