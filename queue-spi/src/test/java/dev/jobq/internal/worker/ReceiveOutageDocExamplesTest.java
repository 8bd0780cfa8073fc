package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.DurationFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The failed-receive lines docs/operations.md quotes, against the pauses a poll loop takes between failed
 * receives ({@link PollLoop#FIRST_ERROR_PAUSE}, {@link PollLoop#nextErrorPause}). A repeat line names the pause
 * of the loop whose failure it logs, so that loop has failed as often as that pause takes, and waited out the
 * pauses before it: however many loops a queue has, the line's time is at least those pauses.
 */
class ReceiveOutageDocExamplesTest {

    private static final Pattern REPEAT = Pattern.compile(
            "receiving from queue '[^']+' failed \\((\\d+) in a row over (\\S+)\\); trying again\\s+in\\s+(\\d+) ms");
    private static final Pattern AGAIN = Pattern.compile(
            "receiving from queue '[^']+' works again after (\\d+) failed receives over (\\S+?)`");

    private static String operations() throws IOException {
        return ProjectDocs.read("docs/operations.md");
    }

    @Test
    void theRepeatedWarnThePageQuotesIsOneAPollLoopCanPrint_andTheInfoLineComesAfterIt() throws IOException {
        String page = operations();
        Matcher repeat = REPEAT.matcher(page);
        assertThat(repeat.find()).as("operations.md quotes the WARN line of receives that keep failing").isTrue();
        int failures = Integer.parseInt(repeat.group(1));
        Duration over = DurationFormat.parse(repeat.group(2));
        Duration pause = Duration.ofMillis(Long.parseLong(repeat.group(3)));

        // the first failure of the logging loop whose pause is the one the line names, and the pauses before it
        int failed = 1;
        Duration pausedBefore = Duration.ZERO;
        Duration next = PollLoop.FIRST_ERROR_PAUSE;
        while (!next.equals(pause)) {
            assertThat(failed).as("a poll loop pauses %s after some failure", pause).isLessThan(64);
            pausedBefore = pausedBefore.plus(next);
            next = PollLoop.nextErrorPause(next);
            failed++;
        }
        assertThat(failures).as("the count of a line whose loop pauses %s: that loop's %s failures at least", pause, failed)
                .isGreaterThanOrEqualTo(failed);
        // the line's time is truncated to whole seconds
        assertThat(over.plusSeconds(1)).as("'over %s' with a loop that paused %s before it paused %s", repeat.group(2),
                DurationFormat.format(pausedBefore), DurationFormat.format(pause)).isGreaterThan(pausedBefore);
        assertThat(over).as("a repeat line comes 30 s or more after the first failure").isGreaterThanOrEqualTo(ReceiveFailures.REPEAT);

        Matcher again = AGAIN.matcher(page);
        assertThat(again.find()).as("operations.md quotes the INFO line of receives that work again").isTrue();
        assertThat(Integer.parseInt(again.group(1))).as("the INFO line ends the outage of the WARN line before it")
                .isGreaterThanOrEqualTo(failures);
        assertThat(DurationFormat.parse(again.group(2))).as("the INFO line ends the outage of the WARN line before it")
                .isGreaterThanOrEqualTo(over.plus(pause));
    }
}
