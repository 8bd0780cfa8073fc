package dev.jobq.cli.demo;

import dev.jobq.cli.demo.PlannedJob.Kind;
import dev.jobq.cli.demo.PlannedJob.Outcome;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The demo's result: the summary table and every way the run differed from the plan. */
final class DemoReport {

    private final Map<String, PlannedJob> planned;
    private final DemoTracker tracker;
    private final Instant start;
    private final Duration elapsed;
    private final Duration timeout;
    private final List<String> problems = new ArrayList<>();

    private DemoReport(Map<String, PlannedJob> planned, DemoTracker tracker, Instant start, Instant end,
                       Duration timeout) {
        this.planned = planned;
        this.tracker = tracker;
        this.start = start;
        this.elapsed = Duration.between(start, end);
        this.timeout = timeout;
    }

    /**
     * Compares what the tracker saw with the plan, job by job.
     *
     * @param start when the worker started
     * @param end   when the last job became final, or when the wait gave up
     */
    static DemoReport compare(Map<String, PlannedJob> planned, DemoTracker tracker, Instant start, Instant end,
                              Duration timeout) {
        var report = new DemoReport(planned, tracker, start, end, timeout);
        report.check();
        return report;
    }

    boolean ok() {
        return problems.isEmpty();
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    void print(PrintWriter out) {
        var snapshot = tracker.snapshot();
        out.println();
        out.println("Summary");
        row(out, "enqueued", planned.size(), breakdown());
        row(out, "completed", snapshot.completed(), "");
        row(out, "retried", snapshot.retried(), "failed attempts that ran again");
        planned.forEach((id, job) -> tracker.find(id)
                .filter(t -> t.failedAttempts() > 0 && t.outcome() == Outcome.COMPLETED)
                .ifPresent(t -> out.printf(Locale.ROOT, "      %s  %-15s failed %d×, completed on attempt %d%n",
                        id, job.type(), t.failedAttempts(), t.finalAttempt())));
        row(out, "dead", snapshot.dead(), "");
        planned.forEach((id, job) -> tracker.find(id)
                .filter(t -> t.outcome() == Outcome.DEAD)
                .ifPresent(t -> out.printf(Locale.ROOT, "      %s  %-15s after %d attempts: %s%n",
                        id, job.type(), t.finalAttempt(), t.error())));
        printThroughput(out);
        out.printf(Locale.ROOT, "  %-14s %8.1f  s%n", "elapsed", seconds(elapsed));
        printPriority(out);
        printDelayed(out);
        printScheduled(out);
        printRecurring(out);
        out.println();
        if (ok()) {
            out.printf(Locale.ROOT, "OK: every job ended as planned: %d completed, %d dead after their last attempt.%n",
                    snapshot.completed(), snapshot.dead());
        } else {
            out.printf(Locale.ROOT, "FAILED: %d problem(s); see stderr.%n", problems.size());
        }
        out.flush();
    }

    private void check() {
        if (tracker.recurringCompleted() < tracker.recurringExpected()) {
            problems.add("recurring job " + DemoPlan.RECURRING_NAME + " completed " + tracker.recurringCompleted()
                    + " occurrence(s) within " + timeout.toSeconds() + " s, expected " + tracker.recurringExpected());
        }
        planned.forEach((id, job) -> {
            var trace = tracker.find(id);
            Outcome outcome = trace.map(DemoTracker.Trace::outcome).orElse(null);
            String name = id + " (" + job.type() + ", " + job.kind().label() + ")";
            if (outcome == null) {
                problems.add(name + " did not finish within " + timeout.toSeconds() + " s");
                return;
            }
            var t = trace.orElseThrow();
            if (outcome != job.outcome()) {
                problems.add(name + " ended " + outcome + " on attempt " + t.finalAttempt() + ", expected "
                        + job.outcome() + (t.error() != null ? "; error: " + t.error() : ""));
            }
            if (t.failedAttempts() != job.failedAttempts()) {
                problems.add(name + " had " + t.failedAttempts() + " retried failure(s), expected "
                        + job.failedAttempts());
            }
            Instant runAt = t.runAt();
            Instant startedAt = t.firstStartedAt();
            boolean timed = job.kind() == Kind.DELAYED || job.kind() == Kind.SCHEDULED;
            if (timed && runAt != null && startedAt != null && startedAt.isBefore(runAt)) {
                problems.add(name + " started at " + startedAt + ", before it was due at " + runAt);
            }
        });
    }

    private String breakdown() {
        var counts = planned.values().stream()
                .collect(Collectors.groupingBy(PlannedJob::kind, () -> new EnumMap<>(Kind.class),
                        Collectors.counting()));
        return counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().label())
                .collect(Collectors.joining(" · "));
    }

    /**
     * Throughput over the jobs due at start with no planned failure, up to the last of them to end:
     * otherwise the delays and the retry backoff would count as work.
     */
    private void printThroughput(PrintWriter out) {
        var finishedAt = planned.entrySet().stream()
                .filter(e -> e.getValue().kind() != Kind.DELAYED && e.getValue().kind() != Kind.SCHEDULED
                        && e.getValue().failedAttempts() == 0)
                .map(e -> tracker.find(e.getKey()).map(DemoTracker.Trace::finishedAt).orElse(null))
                .toList();
        if (finishedAt.isEmpty() || finishedAt.contains(null)) {
            out.printf(Locale.ROOT, "  %-14s %8s  jobs/s (not every job due at once ended)%n", "throughput", "-");
            return;
        }
        Instant last = finishedAt.stream().max(Instant::compareTo).orElseThrow();
        double busy = seconds(Duration.between(start, last));
        out.printf(Locale.ROOT, "  %-14s %8.1f  jobs/s (%d jobs due at once, without retries, done after %.2f s)%n",
                "throughput", finishedAt.size() / busy, finishedAt.size(), busy);
    }

    private static double seconds(Duration duration) {
        return Math.max(duration.toMillis(), 1) / 1000.0;
    }

    private void printPriority(PrintWriter out) {
        var ranks = planned.entrySet().stream()
                .filter(e -> e.getValue().kind() == Kind.HIGH_PRIORITY)
                .map(e -> tracker.find(e.getKey()).map(DemoTracker.Trace::startRank).orElse(0))
                .filter(rank -> rank > 0)
                .toList();
        if (!ranks.isEmpty()) {
            row(out, "priority " + DemoPlan.HIGH_PRIORITY, ranks.size(), "jobs, enqueued last, all among the first "
                    + ranks.stream().mapToInt(Integer::intValue).max().orElseThrow() + " of " + planned.size()
                    + " to start");
        }
    }

    private void printDelayed(PrintWriter out) {
        long onTime = planned.entrySet().stream()
                .filter(e -> e.getValue().kind() == Kind.DELAYED)
                .map(e -> tracker.find(e.getKey()))
                .flatMap(Optional::stream)
                .filter(t -> t.runAt() != null && t.firstStartedAt() != null
                        && !t.firstStartedAt().isBefore(t.runAt()))
                .count();
        long delayed = planned.values().stream().filter(job -> job.kind() == Kind.DELAYED).count();
        if (delayed > 0) {
            row(out, "delayed", onTime, "of " + delayed + " jobs started no earlier than their delay ("
                    + DemoPlan.FIRST_DELAY.toMillis() / 1000.0 + " s and up)");
        }
    }

    private void printScheduled(PrintWriter out) {
        planned.entrySet().stream()
                .filter(e -> e.getValue().kind() == Kind.SCHEDULED)
                .map(e -> tracker.find(e.getKey()))
                .flatMap(Optional::stream)
                .filter(t -> t.runAt() != null && t.firstStartedAt() != null)
                .forEach(t -> row(out, "scheduled", 1, "job held in the scheduler's database, due "
                        + DemoPlan.SCHEDULED_AHEAD.toSeconds() + " s after it was scheduled, started "
                        + Duration.between(t.runAt(), t.firstStartedAt()).toMillis() + " ms after it was due"));
    }

    private void printRecurring(PrintWriter out) {
        if (tracker.recurringExpected() > 0) {
            row(out, "recurring", tracker.recurringCompleted(), "runs of " + DemoPlan.RECURRING_NAME + " ("
                    + DemoPlan.RECURRING_SCHEDULE + "), each occurrence once");
        }
    }

    private static void row(PrintWriter out, String label, long value, String note) {
        out.println(String.format(Locale.ROOT, "  %-14s %8d  %s", label, value, note).stripTrailing());
    }
}
