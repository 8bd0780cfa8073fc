package dev.jobq.cli.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.jobq.Backoff;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.RecurringJob;
import dev.jobq.Scheduler;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.examples.DemoHandlers;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.UntrustedText;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.h2.api.ErrorCode;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jobq demo}: runs the example handlers on the memory provider with a planned mix of jobs,
 * shows progress, prints a summary and exits 0 when every job ended as planned, 1 otherwise.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        header = "Runs a self-contained demo on the in-memory provider.",
        description = {
                "Runs a mix of jobs on the in-memory provider: plain emails, flaky calls that",
                "fail twice and then succeed, tasks that always fail and end dead-lettered,",
                "delayed reports, high-priority emails, a report scheduled for an instant and",
                "a recurring job, the last two held by the JDBC scheduler in the H2 database",
                "./data/jobq-demo. Shows progress, then a summary. Exits 0 when every job",
                "ended as planned, else 1."})
public final class DemoCommand implements Callable<Integer> {

    /** Retries within the demo come fast so the retry path shows in seconds. */
    static final Backoff RETRY_BACKOFF = Backoff.fixed(Duration.ofMillis(200));
    /** With {@link #SHUTDOWN_TIMEOUT}, keeps even a failing run under 30 s. */
    static final Duration TIMEOUT = Duration.ofSeconds(22);
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);
    static final Duration TICK = Duration.ofMillis(500);
    static final int MAX_PROBLEMS_LISTED = 10;
    private static final int MAX_JOBS = 1_000_000;
    private static final int MAX_CONCURRENCY = 10_000;
    private static final String HANDLER_LOGGER = "dev.jobq.job";
    /** The scheduler's H2 database, relative to the working directory ({@code data/} is git-ignored). */
    static final Path DATABASE = Path.of("data", "jobq-demo");
    static final String JDBC_URL = "jdbc:h2:file:./" + DATABASE.toString().replace('\\', '/');
    private static final int MAX_LEFTOVERS = 10_000;

    @Spec
    private CommandSpec spec;

    private int plainJobs;
    private int concurrency;

    @Option(names = "--verbose", description = "Also log each handler's own lines (to stderr).")
    private boolean verbose;

    private final InstantSource clock = Clock.systemUTC();

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "200",
            description = "Plain email jobs to enqueue besides the fixed mix (default: ${DEFAULT-VALUE}).")
    void setJobs(BigInteger jobs) {
        if (jobs.signum() < 1 || jobs.compareTo(BigInteger.valueOf(MAX_JOBS)) > 0) {
            throw new ParameterException(spec.commandLine(),
                    "--jobs must be between 1 and " + MAX_JOBS + ", got " + jobs);
        }
        this.plainJobs = jobs.intValue();
    }

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
            description = "Handlers running at once (default: ${DEFAULT-VALUE}).")
    void setConcurrency(BigInteger concurrency) {
        if (concurrency.signum() < 1 || concurrency.compareTo(BigInteger.valueOf(MAX_CONCURRENCY)) > 0) {
            throw new ParameterException(spec.commandLine(),
                    "--concurrency must be between 1 and " + MAX_CONCURRENCY + ", got " + concurrency);
        }
        this.concurrency = concurrency.intValue();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var plan = DemoPlan.standard(plainJobs);
        var tracker = new DemoTracker(plan.size(), DemoPlan.RECURRING_TYPE, DemoPlan.RECURRING_RUNS);
        Runnable restoreLogs = verbose ? () -> { } : quietHandlerLogs();
        try (JobQueue jobs = openQueue(tracker)) {
            DemoHandlers.registerAll(jobs);
            jobs.registerJobHandler(DemoPlan.RECURRING_TYPE, Heartbeat.class,
                    (job, ctx) -> ctx.log("heartbeat from {}", job.payload().source()));
            out.printf(Locale.ROOT, "jobq demo: %d jobs on the memory provider, concurrency %d, retries after %d ms%n",
                    plan.size(), concurrency, RETRY_BACKOFF.delay(1).toMillis());
            out.printf(Locale.ROOT, "jobq demo: scheduled and recurring jobs wait in the H2 database %s.mv.db%n",
                    DATABASE.toAbsolutePath());
            out.flush();
            Scheduler scheduler = jobs.scheduler();
            clearLeftovers(scheduler);
            scheduler.registerRecurring(RecurringJob.builder(DemoPlan.RECURRING_NAME, DemoPlan.RECURRING_TYPE)
                    .schedule(DemoPlan.RECURRING_SCHEDULE).payload(new Heartbeat("jobq demo")).build());
            // Everything is enqueued before the worker starts, so priority decides the order jobs are handed out.
            Map<String, PlannedJob> planned = plan.enqueueAll(jobs, clock.instant());
            Instant start = clock.instant();
            jobs.start();
            var progress = new ProgressLine(out, ProgressLine.Style.forStdout(), plan.size());
            var stopLine = new StopLine(out, progress, tracker, plan.size());
            stopLine.arm();
            boolean allFinal;
            boolean summarised;
            try {
                allFinal = tracker.awaitAllFinal(TIMEOUT, TICK, () -> stopLine.unlessStopped(
                        () -> progress.show(tracker.snapshot(), Duration.between(start, clock.instant()))));
            } finally {
                summarised = stopLine.disarm();
            }
            if (!summarised) {
                return 1; // a signal ends the JVM, with its own status; the stop line was the last
            }
            progress.show(tracker.snapshot(), Duration.between(start, clock.instant()));
            progress.end();
            Instant end = allFinal ? tracker.lastFinalAt().orElseGet(clock::instant) : clock.instant();
            // The database outlives the run: leave no recurring job behind to fire in the next one.
            scheduler.deleteRecurring(DemoPlan.RECURRING_NAME);
            var report = DemoReport.compare(planned, tracker, start, end, TIMEOUT);
            report.print(out);
            if (!report.ok()) {
                printProblems(err, report.problems());
                return 1;
            }
            return 0;
        } finally {
            restoreLogs.run();
        }
    }

    /**
     * {@link #buildQueue}, its H2 file held by another process said as a demo user can act on it: the scheduler's
     * advice (point it at another file, AUTO_SERVER=TRUE in the URL) is for a config file, which the demo has none of;
     * so is its path that cannot be made (a file named data in the way).
     */
    private JobQueue openQueue(DemoTracker tracker) {
        try {
            return buildQueue(tracker);
        } catch (JobQueueException e) {
            if (cause(e, t -> t instanceof SQLException sql
                    && sql.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1) != null) { // "may be already in use"
                throw CommandFailure.failed("another process has the demo's H2 database "
                        + UntrustedText.escape(DATABASE.toAbsolutePath() + ".mv.db") + " open, most likely a jobq "
                        + "demo still running: wait for it to end, or run jobq demo from another directory, which "
                        + "keeps its own ./" + DATABASE.toString().replace('\\', '/'));
            }
            // java.nio's error for the path, under H2's: a file named data where the directory should be, or a
            // directory jobq demo may not write in; the scheduler's "check the path in scheduler.jdbcUrl" names a key
            // the demo user never set
            Throwable path = cause(e, FileSystemException.class::isInstance);
            if (path != null) {
                Path directory = DATABASE.getParent();
                throw CommandFailure.failed("cannot create the demo's H2 database "
                        + UntrustedText.escape(DATABASE.toAbsolutePath() + ".mv.db") + ": "
                        + UntrustedText.escape(path.toString()) + ": ./" + directory + " must be a directory jobq demo "
                        + "can write in; move or remove what is there, or run jobq demo from another directory");
            }
            throw e;
        }
    }

    /**
     * The first of {@code e} and its first {@link LoggableThrowables#MAX_LOGGED_CAUSES} causes that {@code is} holds
     * for, or null; read to where the chain comes back (a loop of two was walked for ever, and jobq demo never ended).
     */
    static @Nullable Throwable cause(Throwable e, Predicate<Throwable> is) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.size() <= LoggableThrowables.MAX_LOGGED_CAUSES && seen.add(t);
                t = LoggableThrowables.causeOf(t)) {
            if (is.test(t)) {
                return t;
            }
        }
        return null;
    }

    /** The demo's queue: the memory provider, and the JDBC scheduler on an H2 file for the scheduled jobs. */
    private JobQueue buildQueue(DemoTracker tracker) {
        return JobQueue.builder()
                .provider("memory")
                .scheduler("jdbc", Map.of("jdbcUrl", JDBC_URL))
                .concurrency(concurrency)
                .backoff(RETRY_BACKOFF)
                .shutdownTimeout(SHUTDOWN_TIMEOUT)
                // the demo runs on built-in defaults alone: QUEUE_* variables of the shell do not apply
                .environment(Map.of())
                .clock(clock)
                .listener(tracker)
                .build();
    }

    /** Cancels what an interrupted earlier run left in the database, so that this run fires only its own jobs. */
    private static void clearLeftovers(Scheduler scheduler) {
        scheduler.deleteRecurring(DemoPlan.RECURRING_NAME);
        scheduler.listScheduled(MAX_LEFTOVERS).forEach(job -> scheduler.cancel(job.id()));
    }

    private static void printProblems(PrintWriter err, List<String> problems) {
        err.printf(Locale.ROOT, "jobq demo: %d job(s) did not end as planned:%n", problems.size());
        problems.stream().limit(MAX_PROBLEMS_LISTED).forEach(p -> err.println("  " + p));
        if (problems.size() > MAX_PROBLEMS_LISTED) {
            err.printf(Locale.ROOT, "  … and %d more%n", problems.size() - MAX_PROBLEMS_LISTED);
        }
        err.flush();
    }

    /**
     * Hundreds of "sending …" lines would bury the retry and dead-letter warnings, so handler logs
     * drop to WARN for the run; returns what puts the level back.
     */
    private static Runnable quietHandlerLogs() {
        if (LoggerFactory.getLogger(HANDLER_LOGGER) instanceof Logger logger) {
            @Nullable Level previous = logger.getLevel();
            logger.setLevel(Level.WARN);
            return () -> logger.setLevel(previous);
        }
        return () -> { };
    }
}
