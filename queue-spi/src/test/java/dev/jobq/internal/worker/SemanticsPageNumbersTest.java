package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worker's bounds that docs/semantics.md names, each read as the page words it and compared with the constant
 * the worker uses, so that a change to either shows here. (The public defaults are checked beside the page's other
 * claims, in the examples module's {@code SemanticsClaimsTest}.)
 */
class SemanticsPageNumbersTest {

    private static String semantics() throws IOException {
        return ProjectDocs.read("docs/semantics.md").replaceAll("\\s*\n\\s*", " ");
    }

    @Test
    void theWorkersBoundsThePageNamesAreTheConstantsItUses() throws IOException {
        String page = semantics();
        Map<String, List<Object>> numbers = new LinkedHashMap<>();
        numbers.put("then one WARN line every 30 s while heartbeats keep failing",
                List.of(HeartbeatFailures.REPEAT, Duration.ofSeconds(30)));
        numbers.put("A queue's heartbeats use at most 64 platform threads",
                List.of(Watchdog.HEARTBEAT_THREADS, 64));
        numbers.put("recording the failure (the `Failed` or `Dead`, the provider's `fail`) runs on at most 64 threads per queue",
                List.of(Watchdog.HEARTBEAT_THREADS, 64));
        numbers.put("each message (its own, its root cause's) is cut to 1,000 characters",
                List.of(FailurePolicy.MAX_MESSAGE_CHARS, 1000));
        numbers.put("the log shows the first 32 causes, the first 8 suppressed exceptions of each",
                List.of(List.of(FailurePolicy.MAX_LOGGED_CAUSES, FailurePolicy.MAX_LOGGED_SUPPRESSED), List.of(32, 8)));
        numbers.put("at most 64 throwables in all", List.of(FailurePolicy.MAX_LOGGED_THROWABLES, 64));
        numbers.put("of a chain more than 10,000 causes deep, or whose `getCause()` makes a new cause at each call, by "
                + "the 10,000th", List.of(FailurePolicy.MAX_WALKED_CAUSES, 10_000));
        numbers.put("The log names each such handler once, 5 s after its timeout",
                List.of(Watchdog.OVERDUE_WARNING, Duration.ofSeconds(5)));
        numbers.put("it waits at most 1 s more for the cancelled handlers to return",
                List.of(Worker.CANCELLED_RETURN_WAIT, Duration.ofSeconds(1)));
        numbers.put("A receive that has not returned 5 s after its wait", List.of(PollLoop.OVERDUE_AFTER, Duration.ofSeconds(5)));
        numbers.put("It waits at most 5 s for the releases of unstarted jobs (before the drain) and 5 s for those of "
                + "cancelled ones", List.of(Worker.RELEASE_WAIT, Duration.ofSeconds(5)));
        numbers.put("a heartbeat the provider does not answer holds it back 2.5 s at most",
                List.of(AttemptRun.HEARTBEAT_RETURN_WAIT, Duration.ofMillis(2500)));
        numbers.forEach((phrase, codeAndPage) -> {
            assertThat(page.contains(phrase)).as("docs/semantics.md says: %s", phrase).isTrue();
            assertThat(codeAndPage.get(0)).as("the worker's value behind '%s'", phrase).isEqualTo(codeAndPage.get(1));
        });
    }

    @Test
    void aMessageCutAtTheBoundSaysHowManyCharactersWereLeftOut() throws IOException {
        assertThat(semantics().contains("with `… (N more characters)`")).as("the page says so").isTrue();
        String cut = FailurePolicy.oneLine("x".repeat(1234));
        assertThat(cut).isEqualTo("x".repeat(1000) + "… (234 more characters)");
        assertThat(FailurePolicy.oneLine("a\nb\tc\u001b")).isEqualTo("a\\nb\\tc\\u001b");
    }
}
