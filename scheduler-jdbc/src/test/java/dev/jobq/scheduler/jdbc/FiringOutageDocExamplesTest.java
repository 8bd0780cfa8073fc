package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.DurationFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The firing thread's outage lines that docs/operations.md and docs/scheduler.md quote, against the pauses the
 * firing loop takes between failed passes ({@link FiringLoop#pauseAfter}) at the {@code pollInterval} of the
 * page's example: the pause a repeat line names is the one its count of failures gives, and the time a line
 * names is at least the pauses its failures took. A made-up count (31 passes failed in 30 s, where the
 * pauses alone take half an hour) would tell an operator to expect what the scheduler never prints.
 */
class FiringOutageDocExamplesTest {

    private static final Pattern REPEAT = Pattern.compile(
            ("keep failing: (\\d+) in a row over (\\S+) \\(since …\\), trying again in (\\d+) ms").replace(" ", "\\s+"));
    private static final Pattern AGAIN = Pattern.compile(
            "work again, after (\\d+) failed in a row over (\\S+) \\(".replace(" ", "\\s+"));

    private static String page(String name) throws IOException {
        return ProjectDocs.read(name);
    }

    /** The pauses after the first {@code failures} failed passes in a row, taken together. */
    private static Duration pausesOf(int failures, Duration pollInterval) {
        Duration all = Duration.ZERO;
        for (int failed = 1; failed <= failures; failed++) {
            all = all.plus(FiringLoop.pauseAfter(failed, pollInterval));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} at pollInterval {1}")
    @CsvSource({
            "docs/operations.md, 60s, 'the production example''s scheduler section, which leaves pollInterval at its default'",
            "docs/scheduler.md, 200ms, 'through an outage at a 200 ms `pollInterval`'"})
    void theOutageLinesAPageQuotesAreOnesTheFiringLoopCanPrint(String name, String poll, String why) throws IOException {
        String text = page(name);
        Duration pollInterval = DurationFormat.parse(poll);
        if (name.endsWith("scheduler.md")) {
            assertThat(text).contains("through an outage at a 200 ms `pollInterval`");
        } else {
            assertThat(JdbcSchedulerFactory.DEFAULT_POLL_INTERVAL).isEqualTo(pollInterval);
        }

        Matcher repeat = REPEAT.matcher(text);
        assertThat(repeat.find()).as("%s quotes a repeated WARN line of a failing scheduler", name).isTrue();
        int failures = Integer.parseInt(repeat.group(1));
        Duration over = DurationFormat.parse(repeat.group(2));
        long pauseMillis = Long.parseLong(repeat.group(3));
        assertThat(pauseMillis).as("%s: the pause after %s failed passes in a row (%s)", name, failures, why)
                .isEqualTo(FiringLoop.pauseAfter(failures, pollInterval).toMillis());
        assertThat(pausesOf(failures - 1, pollInterval)).as("%s: the pauses between %s failed passes fit in %s (%s)",
                name, failures, repeat.group(2), why).isLessThanOrEqualTo(over);
        assertThat(over).as("%s: a repeat line comes 30 s or more after the first failure", name)
                .isGreaterThanOrEqualTo(PassFailures.REPEAT);

        Matcher again = AGAIN.matcher(text);
        assertThat(again.find()).as("%s quotes the INFO line of a scheduler whose passes work again", name).isTrue();
        int failed = Integer.parseInt(again.group(1));
        assertThat(pausesOf(failed, pollInterval)).as("%s: the pauses after %s failed passes fit in %s (%s)",
                name, failed, again.group(2), why).isLessThanOrEqualTo(DurationFormat.parse(again.group(2)));
    }
}
