package dev.jobq.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.cli.demo.PlannedJob.Kind;
import dev.jobq.cli.demo.PlannedJob.Outcome;
import dev.jobq.examples.Email;
import dev.jobq.examples.FlakyCall;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's checks, fed with hand-made events: a run that breaks the plan must be caught. */
class DemoReportTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(25);

    private final Map<String, PlannedJob> planned = new LinkedHashMap<>();

    DemoReportTest() {
        planned.put("flaky-1", new PlannedJob(Kind.FLAKY, "flaky:call", new FlakyCall("https://a.example", 2),
                EnqueueOptions.none(), Outcome.COMPLETED, 2));
        planned.put("late-1", new PlannedJob(Kind.DELAYED, "email:send", new Email("a@example.com", "Hi"),
                EnqueueOptions.delay(Duration.ofSeconds(1)), Outcome.COMPLETED, 0));
    }

    @Test
    void aRunThatFollowsThePlanHasNoProblems() {
        var tracker = new DemoTracker(2);
        flakyRecovers(tracker);
        tracker.onEvent(new JobEvent.Enqueued(T0, "default", "late-1", "email:send", T0.plusSeconds(1), false));
        tracker.onEvent(new JobEvent.Started(T0.plusSeconds(1), "default", "late-1", "email:send", 1));
        tracker.onEvent(new JobEvent.Completed(T0.plusSeconds(1), "default", "late-1", "email:send", 1, Duration.ZERO));

        var report = DemoReport.compare(planned, tracker, T0, T0.plusSeconds(2), TIMEOUT);

        assertThat(report.problems()).isEmpty();
        assertThat(printed(report)).contains("OK: every job ended as planned: 2 completed, 0 dead");
    }

    @Test
    void catchesAJobThatDiedInsteadOfCompleting() {
        var tracker = new DemoTracker(2);
        tracker.onEvent(new JobEvent.Started(T0, "default", "flaky-1", "flaky:call", 1));
        tracker.onEvent(new JobEvent.Dead(T0, "default", "flaky-1", "flaky:call", 1, "IOException: reset"));

        var report = DemoReport.compare(planned, tracker, T0, T0.plusSeconds(2), TIMEOUT);

        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).contains(
                "flaky-1 (flaky:call, flaky, then succeeds) ended DEAD on attempt 1, expected COMPLETED; error: IOException: reset",
                "flaky-1 (flaky:call, flaky, then succeeds) had 0 retried failure(s), expected 2",
                "late-1 (email:send, delayed) did not finish within 25 s");
        assertThat(printed(report)).contains("FAILED: 3 problem(s)");
    }

    @Test
    void catchesADelayedJobThatStartedEarly() {
        var tracker = new DemoTracker(2);
        flakyRecovers(tracker);
        tracker.onEvent(new JobEvent.Enqueued(T0, "default", "late-1", "email:send", T0.plusSeconds(1), false));
        tracker.onEvent(new JobEvent.Started(T0.plusMillis(10), "default", "late-1", "email:send", 1));
        tracker.onEvent(new JobEvent.Completed(T0.plusMillis(10), "default", "late-1", "email:send", 1, Duration.ZERO));

        var report = DemoReport.compare(planned, tracker, T0, T0.plusSeconds(2), TIMEOUT);

        assertThat(report.problems()).containsExactly("late-1 (email:send, delayed) started at 2026-11-23T10:00:00.010Z,"
                + " before it was due at 2026-11-23T10:00:01Z");
    }

    @Test
    void countsRecurringOccurrencesApartAndCatchesTooFewOfThem() {
        var tracker = new DemoTracker(2, DemoPlan.RECURRING_TYPE, 3);
        flakyRecovers(tracker);
        tracker.onEvent(new JobEvent.Enqueued(T0, "default", "late-1", "email:send", T0.plusSeconds(1), false));
        tracker.onEvent(new JobEvent.Completed(T0.plusSeconds(1), "default", "late-1", "email:send", 1, Duration.ZERO));
        for (String occurrence : new String[] {"beat-1", "beat-2", "beat-2"}) {
            tracker.onEvent(new JobEvent.Started(T0, "default", occurrence, DemoPlan.RECURRING_TYPE, 1));
            tracker.onEvent(new JobEvent.Completed(T0, "default", occurrence, DemoPlan.RECURRING_TYPE, 1, Duration.ZERO));
        }

        var report = DemoReport.compare(planned, tracker, T0, T0.plusSeconds(2), TIMEOUT);

        assertThat(tracker.snapshot().completed()).as("planned jobs only").isEqualTo(2);
        assertThat(tracker.recurringCompleted()).isEqualTo(2);
        assertThat(report.problems()).containsExactly(
                "recurring job demo-heartbeat completed 2 occurrence(s) within 25 s, expected 3");
    }

    @Test
    void keepsTheDueTimeOfAScheduledJobWhenItIsHandedOnLater() {
        planned.put("report-1", new PlannedJob(Kind.SCHEDULED, "report:generate", new Email("b@example.com", "Q"),
                EnqueueOptions.none(), Outcome.COMPLETED, 0));
        var tracker = new DemoTracker(3);
        flakyRecovers(tracker);
        tracker.onEvent(new JobEvent.Enqueued(T0, "default", "late-1", "email:send", T0.plusSeconds(1), false));
        tracker.onEvent(new JobEvent.Started(T0.plusSeconds(1), "default", "late-1", "email:send", 1));
        tracker.onEvent(new JobEvent.Completed(T0.plusSeconds(1), "default", "late-1", "email:send", 1, Duration.ZERO));
        tracker.onEvent(new JobEvent.Enqueued(T0, "default", "report-1", "report:generate", T0.plusSeconds(2), true));
        tracker.onEvent(new JobEvent.Enqueued(T0.plusMillis(2_004), "default", "report-1", "report:generate",
                T0.plusMillis(2_004), false));
        tracker.onEvent(new JobEvent.Started(T0.plusMillis(2_010), "default", "report-1", "report:generate", 1));
        tracker.onEvent(new JobEvent.Completed(T0.plusMillis(2_050), "default", "report-1", "report:generate", 1,
                Duration.ZERO));

        var report = DemoReport.compare(planned, tracker, T0, T0.plusSeconds(3), TIMEOUT);

        assertThat(report.problems()).isEmpty();
        assertThat(printed(report)).containsPattern("scheduled\\s+1  job held in the scheduler's database, due 2 s "
                + "after it was scheduled, started 10 ms after it was due");
    }

    private static void flakyRecovers(DemoTracker tracker) {
        for (int attempt = 1; attempt <= 2; attempt++) {
            tracker.onEvent(new JobEvent.Started(T0, "default", "flaky-1", "flaky:call", attempt));
            tracker.onEvent(new JobEvent.Failed(T0, "default", "flaky-1", "flaky:call", attempt, "IOException: reset",
                    Duration.ofMillis(200)));
        }
        tracker.onEvent(new JobEvent.Started(T0, "default", "flaky-1", "flaky:call", 3));
        tracker.onEvent(new JobEvent.Completed(T0, "default", "flaky-1", "flaky:call", 3, Duration.ZERO));
    }

    private static String printed(DemoReport report) {
        var text = new StringWriter();
        report.print(new PrintWriter(text));
        return text.toString();
    }
}
