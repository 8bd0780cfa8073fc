package dev.jobq.cli.http;

import dev.jobq.JobQueue;
import dev.jobq.QueueStats;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.internal.runtime.StatsRead;
import dev.jobq.internal.worker.ReceiveOutage;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides the worker's health from its state and its queues' stats:
 *
 * <ul>
 *   <li><b>unhealthy</b> (HTTP 503) when the worker is not running (starting, stopping, stopped), or
 *       the stats of one of the queues it consumes cannot be read (the provider is unreachable), or
 *       receives from one of them keep failing, its stats read or not (the worker takes no job from it), or
 *       handlers running past their timeout hold every permit (the worker can run nothing);</li>
 *   <li><b>degraded</b> (HTTP 200) when a queue it consumes has more dead letters than when the worker
 *       started (or than the fewest seen since, once some were redriven or deleted), or at least {@code backlogThreshold} jobs waiting, or the scheduler this process fires
 *       fails its passes (its database cannot be reached): jobs still run, due ones wait; or some
 *       handlers running past their timeout hold permits;</li>
 *   <li><b>healthy</b> (HTTP 200) otherwise.</li>
 * </ul>
 *
 * A provider that cannot count dead letters or waiting jobs (-1) never makes a queue degraded. A queue
 * whose provider does not answer within {@link StatsRead#MAX_WAIT} counts as unreadable, so that a probe
 * gets its answer while the provider hangs; the queues are read together, so that is the wait for all.
 * Dead letters redriven or deleted bring the count back down, and the status with it.
 *
 * <p>A provider's or the scheduler's error text is shown with the secrets of the URLs it names masked
 * ({@link Secrets#maskUrl}): a provider, a driver or an SDK may word its error with the URL it was given, a
 * password or token in it, and {@code /health} answers whoever reaches the port. Thread-safe.
 */
public final class HealthCheck {

    /** The default backlog at which a queue counts as degraded. */
    public static final long DEFAULT_BACKLOG_THRESHOLD = 1000;

    private final JobQueue jobs;
    private final WorkerView worker;
    private final long backlogThreshold;
    private final Map<String, Long> deadBaseline = new ConcurrentHashMap<>();
    private final Map<String, StatsRead> reads = new ConcurrentHashMap<>();
    private final Duration statsWait;

    public HealthCheck(JobQueue jobs, WorkerView worker, long backlogThreshold) {
        this(jobs, worker, backlogThreshold, StatsRead.MAX_WAIT);
    }

    /** With another wait for each queue's stats than {@link StatsRead#MAX_WAIT} (for tests). */
    HealthCheck(JobQueue jobs, WorkerView worker, long backlogThreshold, Duration statsWait) {
        if (backlogThreshold < 1) {
            throw new IllegalArgumentException("backlogThreshold must be ≥ 1, got " + backlogThreshold);
        }
        this.jobs = Objects.requireNonNull(jobs, "jobs");
        this.worker = Objects.requireNonNull(worker, "worker");
        this.backlogThreshold = backlogThreshold;
        this.statsWait = Objects.requireNonNull(statsWait, "statsWait");
    }

    /**
     * Notes the dead letters of each queue the worker consumes now, as the count later growth is measured from;
     * a queue whose stats cannot be read now gets its baseline at its first successful read.
     */
    public void takeBaseline() {
        readAll(consumedQueues()).forEach((queue, read) -> {
            try {
                deadBaseline.putIfAbsent(queue, StatsRead.answer(read).dead());
            } catch (RuntimeException unreadable) {
                // the first successful check() takes it
            }
        });
    }

    public HealthReport check() {
        List<String> problems = new ArrayList<>();
        boolean unhealthy = false;
        boolean degraded = false;
        WorkerState state = worker.state();
        if (state != WorkerState.RUNNING) {
            unhealthy = true;
            problems.add("worker is " + state.label());
        }
        int overdue = worker.overdueHandlers();
        if (overdue > 0) {
            int concurrency = worker.concurrency();
            if (overdue >= concurrency && concurrency == 1) {
                unhealthy = true;
                problems.add("the one permit is held by a handler still running past its timeout (it ignores the "
                        + "interrupt): the worker can run no job; restart it (its job was failed at the timeout and is "
                        + "retried, or after a lost lease left to its other delivery) and make the handler stop when "
                        + "interrupted");
            } else if (overdue >= concurrency) {
                unhealthy = true;
                problems.add("all " + concurrency + " permits are held by handlers still running past their timeout "
                        + "(they ignore the interrupt): the worker can run no job; restart it (their jobs were "
                        + "failed at the timeout and are retried, or after a lost lease left to their other "
                        + "delivery) and make the handlers stop when interrupted");
            } else if (overdue == 1) {
                degraded = true;
                problems.add("1 of " + concurrency + " permits is held by a handler still running past its timeout "
                        + "(it ignores the interrupt); make it stop when interrupted or check ctx.isCancelled()");
            } else {
                degraded = true;
                problems.add(overdue + " of " + concurrency + " permits are held by handlers still running past their "
                        + "timeout (they ignore the interrupt); make them stop when interrupted or check "
                        + "ctx.isCancelled()");
            }
        }
        List<HealthReport.QueueHealth> queues = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<QueueStats>> read : readAll(consumedQueues()).entrySet()) {
            String queue = read.getKey();
            // a problem is a line of text, shown as such; the JSON's "queue" field keeps the name as it is
            String shown = UntrustedText.escape(queue);
            Optional<ReceiveOutage> outage = worker.receiveOutage(queue);
            if (outage.isPresent()) {
                unhealthy = true;
                problems.add("queue '" + shown + "': receives failing since " + outage.get().since() + " ("
                        + outage.get().failures() + " in a row): " + Secrets.maskUrl(outage.get().error())
                        + "; the worker takes no job from it until a receive works");
            }
            QueueStats stats;
            try {
                stats = StatsRead.answer(read.getValue());
            } catch (RuntimeException e) {
                unhealthy = true;
                String error = unreadable(e);
                // escaped in the line as a receive outage's error is (a name it repeats may hold a U+202E, an ESC);
                // the JSON's "error" field keeps it as Jackson encodes it
                problems.add("queue '" + shown + "': stats cannot be read: " + UntrustedText.escape(error));
                // what this process counted stays readable: the outage is when someone looks at it
                queues.add(jobs instanceof JobQueueRuntime runtime
                        ? HealthReport.QueueHealth.unreadable(runtime.countedHere(queue), error)
                        : HealthReport.QueueHealth.unreadable(queue, error));
                continue;
            }
            queues.add(HealthReport.QueueHealth.of(stats));
            // The fewest seen since the start: once older dead letters were redriven or deleted, the next
            // ones are new, even while fewer than there were at the start.
            long baseline = deadBaseline.merge(queue, stats.dead(), HealthCheck::fewerDead);
            if (stats.dead() >= 0 && baseline >= 0 && stats.dead() > baseline) {
                degraded = true;
                problems.add("queue '" + shown + "': " + (stats.dead() - baseline)
                        + " new dead letter(s) since the worker started (" + stats.dead() + " in all)");
            }
            if (stats.waiting() >= backlogThreshold) {
                degraded = true;
                problems.add("queue '" + shown + "': " + stats.waiting() + (stats.waiting() == 1 ? " job" : " jobs")
                        + " waiting, at or over the backlog threshold of " + backlogThreshold);
            }
        }
        if (jobs.hasScheduler()) {
            Optional<String> firing = jobs.scheduler().firingProblem();
            if (firing.isPresent()) {
                degraded = true;
                problems.add("scheduler: " + Secrets.maskUrl(firing.get()));
            }
        }
        HealthReport.Status status = unhealthy ? HealthReport.Status.UNHEALTHY
                : degraded ? HealthReport.Status.DEGRADED : HealthReport.Status.HEALTHY;
        Instant startedAt = worker.startedAt();
        var workerPart = new HealthReport.Worker(state.label(), worker.activeHandlers(), worker.concurrency(),
                worker.queues(), worker.handlerTypes(), startedAt != null ? startedAt.toString() : null);
        return new HealthReport(status, workerPart, queues, problems);
    }

    /**
     * The stats of {@code queues}, read at once: each read waits at most {@link StatsRead#MAX_WAIT}, so
     * together they take that long, not that long per queue (a worker of ten queues whose provider hangs
     * answered its probe after 20 s). In the order given.
     */
    private Map<String, CompletableFuture<QueueStats>> readAll(List<String> queues) {
        Map<String, CompletableFuture<QueueStats>> all = new LinkedHashMap<>();
        for (String queue : queues) {
            all.put(queue, reads.computeIfAbsent(queue, name -> new StatsRead(name, () -> jobs.stats(name), statsWait))
                    .getLater());
        }
        return all;
    }

    /**
     * Why a queue's stats cannot be read: the message of {@code e} (or what its {@code getMessage()} threw, told as
     * {@link LoggableThrowables#messageOf} tells it; its class's name when it has none), its URLs' secrets masked,
     * cut after {@link LoggableThrowables#MAX_MESSAGE_CHARS} characters as a receive outage's error is, never between
     * the two halves of an emoji, with how many were left out. Not escaped: the JSON's "error" field keeps it as
     * Jackson encodes it, the problem's line escapes it. A provider's message of megabytes went whole into both, and a
     * {@code getMessage()} that threw threw out of {@link #check()}. A read that threw an Error is told as {@link
     * StatsRead.ReadError} tells it, masked, escaped and cut already: cut again, its count of the characters left out
     * gave way to one of escaped characters, and the cut went through an escape (an ESC's six characters cut to
     * five).
     */
    static String unreadable(RuntimeException e) {
        if (e instanceof StatsRead.ReadError told) {
            return told.getMessage();
        }
        String message = LoggableThrowables.messageOf(e);
        String masked = Secrets.maskUrl(message != null ? message : e.getClass().getName());
        if (masked.length() <= LoggableThrowables.MAX_MESSAGE_CHARS) {
            return masked;
        }
        int end = LoggableThrowables.MAX_MESSAGE_CHARS;
        if (Character.isHighSurrogate(masked.charAt(end - 1))) {
            end--;
        }
        return masked.substring(0, end) + "… (" + (masked.length() - end) + " more characters)";
    }

    /** The lower of two dead-letter counts; where either is -1 (the provider cannot tell), the baseline stays. */
    private static long fewerDead(long baseline, long now) {
        return baseline >= 0 && now >= 0 ? Math.min(baseline, now) : baseline;
    }

    /**
     * The queues this worker consumes (until it announced them, those its queue will work, else all configured
     * ones): a queue served by other workers, whose provider may be down or whose dead letters grow, is not this
     * worker's health, nor worth a stats call (on SQS, a request) before the worker starts.
     */
    private List<String> consumedQueues() {
        List<String> consumed = worker.queues();
        if (!consumed.isEmpty()) {
            return consumed;
        }
        List<String> worked = jobs instanceof JobQueueRuntime runtime ? runtime.workedQueues() : List.of();
        return worked.isEmpty() ? jobs.queueNames() : worked;
    }
}
