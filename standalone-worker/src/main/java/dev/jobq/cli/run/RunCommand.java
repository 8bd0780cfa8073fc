package dev.jobq.cli.run;

import dev.jobq.ConfigException;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.WorkerMode;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueOptions;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.cli.context.StopSignals;
import dev.jobq.cli.http.HealthCheck;
import dev.jobq.cli.http.OpsServer;
import dev.jobq.internal.config.Limits;
import dev.jobq.internal.config.SchedulerSection;
import dev.jobq.internal.config.WorkerSettings;
import dev.jobq.internal.discovery.HandlerModules;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.metrics.AttemptOutcomeListener;
import dev.jobq.metrics.JobQueueMetrics;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.UntrustedText;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code jobq run}: the standalone worker. Loads the handler modules from the class path and
 * {@code --handlers}, consumes the configured queues (whatever {@code worker.mode} says: this
 * process is the worker), fires the scheduler when it is enabled, serves {@code /health} and
 * {@code /metrics} with {@code --http-port}, and on TERM or INT drains and exits 0 (or, while it
 * is still starting, stops before it works and exits 0).
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        header = "Runs a worker on the configured queues until TERM or INT.",
        description = {
                "Consumes the configured queues with the handlers of every JobHandlerModule",
                "on the class path and in --handlers DIR, and fires the scheduler when",
                "scheduler.enabled is true.",
                "TERM or INT drains (no new jobs; running ones finish or are released within",
                "worker.shutdownTimeout) and exits 0; a second TERM or INT exits at once.",
                "One that comes while the worker starts stops it before it works, exit 0.",
                "--max-jobs N or --max-time D drains and exits 0 the same way by itself, for",
                "the process manager to start a fresh worker."})
public final class RunCommand implements Callable<Integer> {

    private static final int MAX_PORT = 65_535;
    /** How much of a --max-time value its refusal repeats, as the other commands' durations: any duration whole. */
    private static final int SHOWN_CHARS = 60;

    private final CommandContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private QueueOptions queueOptions;

    private @Nullable Integer httpPort;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = "0.0.0.0",
            description = "Address /health and /metrics listen on (default: ${DEFAULT-VALUE}).")
    private String httpHost;

    private @Nullable List<String> queues;

    private long healthBacklog = HealthCheck.DEFAULT_BACKLOG_THRESHOLD;

    private @Nullable Integer maxJobs;

    private @Nullable Integer concurrency;

    private @Nullable Duration maxTime;

    RunCommand(CommandContext context) {
        this.context = context;
    }

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Serve GET /health and GET /metrics on this port (0: any free port). Off by default.")
    void setHttpPort(BigInteger port) {
        if (port.signum() < 0 || port.compareTo(BigInteger.valueOf(MAX_PORT)) > 0) {
            throw new ParameterException(spec.commandLine(), "--http-port must be between 0 and " + MAX_PORT
                    + ", got " + port);
        }
        this.httpPort = port.intValue();
    }

    /** Names as a shell user writes them: {@code --queues 'critical, default'} means the two queues. */
    @Option(names = "--queues", paramLabel = "QUEUE", split = ",",
            description = "Consume only these queues, in this order (default: worker.queues, else all).")
    void setQueues(List<String> names) {
        List<String> stripped = names.stream().map(String::strip).toList();
        if (stripped.contains("")) {
            throw new ParameterException(spec.commandLine(), "--queues has an empty queue name in "
                    + shown(String.join(",", names)) + "; separate the names with single commas, e.g. --queues "
                    + "critical,default");
        }
        this.queues = stripped;
    }

    @Option(names = "--health-backlog", paramLabel = "N",
            description = "/health says degraded when a queue has N or more jobs waiting (default: "
                    + HealthCheck.DEFAULT_BACKLOG_THRESHOLD + ").")
    void setHealthBacklog(long backlog) {
        if (backlog < 1) {
            throw new ParameterException(spec.commandLine(), "--health-backlog must be ≥ 1, got " + backlog
                    + "; leave it out for the default, " + HealthCheck.DEFAULT_BACKLOG_THRESHOLD);
        }
        this.healthBacklog = backlog;
    }

    @Option(names = "--concurrency", paramLabel = "N",
            description = "Handlers running at once, across the queues (default: worker.concurrency, else "
                    + WorkerSettings.DEFAULT_CONCURRENCY + "); wins over the file and QUEUE_CONCURRENCY.")
    void setConcurrency(BigInteger handlers) {
        if (handlers.signum() < 1) {
            throw new ParameterException(spec.commandLine(), "--concurrency must be ≥ 1, got " + handlers
                    + "; leave it out for worker.concurrency");
        }
        if (handlers.compareTo(BigInteger.valueOf(Limits.MAX_CONCURRENCY)) > 0) {
            throw new ParameterException(spec.commandLine(), "--concurrency must be ≤ " + Limits.MAX_CONCURRENCY
                    + ", got " + handlers + "; for more handlers at once, run more worker processes");
        }
        this.concurrency = handlers.intValue();
    }

    @Option(names = "--max-jobs", paramLabel = "N",
            description = "Receive N jobs and no more: once they have ended (completed, failed or dead) drain and "
                    + "exit 0, for the process manager to start a fresh one; the rest stay queued. Off by default.")
    void setMaxJobs(int jobs) {
        if (jobs < 1) {
            throw new ParameterException(spec.commandLine(), "--max-jobs must be ≥ 1, got " + jobs
                    + "; leave it out to run until stopped");
        }
        this.maxJobs = jobs;
    }

    /** In the config's duration format, as {@code worker.shutdownTimeout}: {@code 1h}, {@code 30m}, {@code PT1H}. */
    @Option(names = "--max-time", paramLabel = "DURATION",
            description = "Stop after working this long (e.g. 1h, 30m): drain and exit 0, for the process manager "
                    + "to start a fresh one. Off by default.")
    void setMaxTime(String value) {
        // a bare 0 too: "has no unit; write 0ms, 0s, 0m or 0h" offered four forms, each refused as not longer than 0;
        // a minus only where what it makes is not positive; -PT-1H, two minuses that java.time reads as plus, is
        // refused below in DurationFormat's words, as the config file and --delay refuse it
        if ((value.strip().startsWith("-") && !readsPositive(value) && !value.strip().matches("(?s)-[Pp].*-.*"))
                || value.strip().matches("0+")) {
            throw maxTimeNotPositive(value);
        }
        if (DurationFormat.isTooLarge(value)) {
            // its form is right: "takes a duration such as 30m" sent one looking at the form; no limit to name but
            // Duration's, and one that long is no limit at all
            // escaped and cut: a value read from a file ("$(cat t)") split the line with its newline
            throw new ParameterException(spec.commandLine(), "--max-time "
                    + UntrustedText.escape(value.strip(), SHOWN_CHARS) + " is longer than a duration can hold; leave "
                    + "it out to run until stopped");
        }
        Duration duration;
        try {
            duration = DurationFormat.parse(value);
        } catch (IllegalArgumentException e) {
            // DurationFormat's refusal starts with the value, whole and raw: said once, cut and escaped, as the
            // other refusals here say it
            String after = UntrustedText.afterQuoted(String.valueOf(e.getMessage()), value);
            String why = after != null ? after : UntrustedText.escape(": " + e.getMessage());
            throw new ParameterException(spec.commandLine(), "--max-time "
                    + UntrustedText.singleQuote(value, SHOWN_CHARS) + why);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw maxTimeNotPositive(value);
        }
        this.maxTime = duration;
    }

    /** Whether {@link DurationFormat#parse} reads {@code value} as longer than 0; false when it cannot read it. */
    private static boolean readsPositive(String value) {
        try {
            return DurationFormat.parse(value).isPositive();
        } catch (IllegalArgumentException notADuration) { // -5s, -soon: refused by their minus
            return false;
        }
    }

    private ParameterException maxTimeNotPositive(String value) {
        return new ParameterException(spec.commandLine(), "--max-time must be longer than 0, got "
                + UntrustedText.singleQuote(value, SHOWN_CHARS) + "; leave it out to run until stopped");
    }

    @Override
    public Integer call() throws InterruptedException {
        requireDistinctQueues();
        requireHttpPortForServerOptions();
        requireListenableHost();
        try (StopSignals signals = context.stopSignals().get()) {
            // Before the start-up, which can take seconds (handler jars, a provider, a migration): a TERM
            // during it stops the worker before it works, exit 0, where the JVM's default would end it with 143.
            signals.arm();
            if (signals.stopRequested()) {
                // It came while the command line was read (EarlySignals): nothing opened yet, nothing to wait for.
                return stoppedBeforeWorking();
            }
            return work(signals);
        }
    }

    private int stoppedBeforeWorking() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("jobq run: stopped before it started working: a stop signal came during start-up");
        out.flush();
        return 0;
    }

    private int work(StopSignals signals) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (QueueSetup setup = queueOptions.setup(context);
             QueueSession session = open(setup)) {
            JobQueue jobs = session.queue();
            requireHandlers(jobs, setup);
            if (signals.stopRequested()) {
                return stoppedBeforeWorking();
            }
            var lifecycle = new WorkerLifecycle(jobs, Clock.systemUTC());
            jobs.addListener(lifecycle);
            var closedFromWithin = new ClosedFromWithin(lifecycle, signals);
            jobs.addListener(closedFromWithin);
            // Listeners hear an attempt's end in the order they were added, after stats() counted it: the meters
            // before the outcome line, so that once a job's line is in the log, /metrics and /health count it.
            PrometheusMeterRegistry registry = metrics(jobs);
            jobs.addListener(new AttemptOutcomeListener(new OutcomeLog()));
            JobLimit limit = maxJobs == null ? null : new JobLimit(maxJobs, signals, limitReceives(jobs, maxJobs));
            if (limit != null) {
                jobs.addListener(limit);
            }
            TimeLimit timeLimit = maxTime == null ? null : new TimeLimit(maxTime, signals);
            var health = new HealthCheck(jobs, lifecycle, healthBacklog);
            health.takeBaseline();
            try (OpsServer server = httpPort == null ? null
                    : OpsServer.start(httpHost, httpPort, health::check, registry)) {
                if (server != null) {
                    out.println("jobq run: health and metrics on " + server.address() + " (/health, /metrics)");
                }
                // Again, last thing before it works: the baseline read above waits up to 2 s for a slow provider, and
                // a stop during it started the worker, which received jobs, fired the scheduler, then drained.
                if (signals.stopRequested()) {
                    registry.close();
                    return stoppedBeforeWorking();
                }
                signals.workerStarted();
                if (jobs instanceof JobQueueRuntime runtime) {
                    runtime.leaveUnworkedQueueWarningToCaller();
                }
                jobs.start();
                if (timeLimit != null) {
                    timeLimit.start();
                }
                // Before the working line, the last of the start: a script (or test) that waits for it and then
                // reads stderr for warnings found none when this one came after.
                unfedHandlers(jobs, served(jobs, setup)).ifPresent(warning -> {
                    spec.commandLine().getErr().println(warning);
                    spec.commandLine().getErr().flush();
                });
                lifecycle.running();
                out.println("jobq run: working " + describe(jobs, setup));
                out.flush();

                try {
                    signals.awaitStop();
                } finally {
                    if (timeLimit != null) {
                        timeLimit.close();
                    }
                }

                lifecycle.stopping();
                String shutdownTimeout = DurationFormat.format(setup.config().worker().shutdownTimeout());
                // Heard once the worker's drain has ended: it said "N running job(s) get up to 30s to finish", after.
                out.println("jobq run: " + stopReason(limit, timeLimit, closedFromWithin) + "stopping: "
                        + (closedFromWithin.reached()
                        ? "the worker has drained already (running jobs got up to " + shutdownTimeout + " to finish)"
                        : "no new jobs; " + lifecycle.activeHandlers() + " running job(s) get up to " + shutdownTimeout
                                + " to finish, then " + afterTheDrain(jobs, served(jobs, setup))));
                out.flush();
                session.close();
                lifecycle.stopped();
            }
            registry.close();
            out.println("jobq run: stopped");
            out.flush();
            return 0;
        }
    }

    /**
     * Opens the queue to work. When a provider or the scheduler's database is out of reach, a class path and
     * {@code --handlers} without a handler module are what to fix, a usage error (2): that failure (1) was told
     * instead, and Restart=on-failure restarted it for ever. Looked for only then: a queue a test lends has its
     * handlers registered in code, and {@link #requireHandlers} checks an open queue.
     */
    private QueueSession open(QueueSetup setup) {
        try {
            return setup.open(builder -> {
                requireKnownQueues(List.copyOf(setup.config().providers().keySet()));
                builder.mode(WorkerMode.IN_PROCESS).findHandlerModules();
                if (concurrency != null) {
                    builder.concurrency(concurrency);
                }
                return queues != null ? builder.workerQueues(queues.toArray(String[]::new)) : builder;
            });
        } catch (RuntimeException openingFailed) {
            if (!(openingFailed instanceof ParameterException || openingFailed instanceof ConfigException)
                    && HandlerModules.find(setup.classLoader()).isEmpty()) {
                throw noHandlers(setup);
            }
            throw openingFailed;
        }
    }

    /** What asked for the stop, if not a signal: {@code 1000 jobs ended (--max-jobs 1000): }. */
    private static String stopReason(@Nullable JobLimit jobs, @Nullable TimeLimit time, ClosedFromWithin closed) {
        if (closed.reached()) {
            return closed.describe() + ": ";
        }
        if (jobs != null && jobs.reached()) {
            return jobs.describe() + ": ";
        }
        return time != null && time.reached() ? time.describe() + ": " : "";
    }

    /**
     * Has the worker receive no more than {@code max} jobs, so that exactly that many end and none is left
     * half-done; a queue built some other way (tests' own) only stops after them, with the few that started
     * before the drain. Returns the worker's count of the jobs it ended, null for such a queue.
     */
    private static @Nullable LongSupplier limitReceives(JobQueue jobs, long max) {
        if (jobs instanceof JobQueueRuntime runtime) {
            runtime.limitJobs(max);
            return runtime::jobsEnded;
        }
        return null;
    }

    /**
     * A {@code --queues} name (or the option's whole value) as its refusal repeats it: quoted and escaped, as the other
     * commands' {@code --queue}, since one read from a file or a variable ({@code "$(cat queues)"}) may hold a newline
     * or a terminal's escape; any name a queue may have shown whole.
     */
    private static String shown(String queues) {
        return UntrustedText.singleQuote(queues, JobOptions.MAX_QUEUE_NAME);
    }

    /** As {@code worker.queues} in the file: a queue named twice is a mistake, not a higher preference. */
    private void requireDistinctQueues() {
        String repeated = queues == null ? null : Limits.firstRepeated(queues);
        if (repeated != null) {
            throw new ParameterException(spec.commandLine(), "--queues lists " + shown(repeated) + " twice; name each "
                    + "queue once");
        }
    }

    /**
     * {@code --http-host} and {@code --health-backlog} set up the /health and /metrics server, which only
     * {@code --http-port} turns on: given without it they were ignored, and a worker meant to be probed served nothing.
     */
    private void requireHttpPortForServerOptions() {
        if (httpPort != null) {
            return;
        }
        ParseResult parsed = spec.commandLine().getParseResult();
        for (String option : List.of("--http-host", "--health-backlog")) {
            if (parsed.hasMatchedOption(option)) {
                List<String> given = parsed.matchedOption(option).stringValues();
                // quoted and escaped, as OpsServer repeats a host: a blank one ("$HOST" unset) read "--http-host  is"
                throw new ParameterException(spec.commandLine(), option + " "
                        + UntrustedText.singleQuote(given.get(given.size() - 1), 60) + " is given without --http-port, "
                        + "so nothing would use it: /health and /metrics are off unless "
                        + "--http-port is given; add --http-port PORT (0 for any free port), or leave " + option + " out");
            }
        }
    }

    /**
     * Before anything opens: an {@code --http-host} that does not resolve or is not this machine's was a
     * run-time failure, exit 1, found after the queues and the scheduler had opened, and restarted for
     * ever by {@code Restart=on-failure}; it is a setting to fix, exit 2.
     */
    private void requireListenableHost() {
        if (httpPort != null) {
            OpsServer.hostProblem(httpHost).ifPresent(problem -> {
                throw CommandFailure.usage(problem);
            });
        }
    }

    /** Before the queue is built, which would refuse the name in the builder's words rather than the option's. */
    private void requireKnownQueues(List<String> configured) {
        if (queues == null) {
            return;
        }
        for (String queue : queues) {
            if (!configured.contains(queue)) {
                throw new ParameterException(spec.commandLine(), "--queues names " + shown(queue)
                        + ", which the config does not have (configured: "
                        + UntrustedText.escape(String.join(", ", configured))
                        + "); add it under 'queues:' or leave it out");
            }
        }
    }

    private static void requireHandlers(JobQueue jobs, QueueSetup setup) {
        if (!jobs.registeredTypes().isEmpty()) {
            return;
        }
        throw noHandlers(setup);
    }

    private static CommandFailure noHandlers(QueueSetup setup) {
        String looked = setup.handlerJars().isEmpty()
                ? "no --handlers directory was given and the class path has no handler module"
                : "the jars in --handlers (" + setup.handlerJars().stream().map(p -> p.getFileName().toString())
                        .collect(Collectors.joining(", ")) + ") and the class path name no handler module";
        return CommandFailure.usage("no job handlers found (" + looked + "), so every job would be dead-lettered; "
                + "put the jar with your JobHandlerModule, named in META-INF/services/dev.jobq.JobHandlerModule, "
                + "in a directory and give it with --handlers DIR");
    }

    private static PrometheusMeterRegistry metrics(JobQueue jobs) {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new JobQueueMetrics(jobs).bindTo(registry);
        return registry;
    }

    private List<String> served(JobQueue jobs, QueueSetup setup) {
        WorkerSettings worker = setup.config().worker();
        return queues != null ? queues : worker.queues().isEmpty() ? jobs.queueNames() : worker.queues();
    }

    /**
     * What becomes of jobs still running when the drain ends: released to their queue, except on a memory
     * queue, which ends with this process (its close says at WARN how many jobs it drops).
     */
    private static String afterTheDrain(JobQueue jobs, List<String> served) {
        List<String> inMemory = jobs instanceof JobQueueRuntime runtime
                ? served.stream().filter(queue -> "memory".equals(runtime.providerTypes().get(queue))).toList()
                : List.of();
        if (inMemory.isEmpty()) {
            return "go back to the queue";
        }
        String ends = "a memory queue ends with this process";
        return inMemory.size() == served.size() ? "are dropped: " + ends
                : "go back to the queue, or are dropped on " + listed(inMemory) + ": " + ends;
    }

    /**
     * Handlers here whose type's own queue ({@code HandlerOptions.queue}) this worker does not work: a queue left
     * out of {@code worker.queues} or {@code --queues} while its producers (or the scheduler's recurring jobs)
     * still send to it. Whether another worker works it, this one cannot know, and says so.
     */
    private static Optional<String> unfedHandlers(JobQueue jobs, List<String> served) {
        if (!(jobs instanceof JobQueueRuntime runtime)) {
            return Optional.empty();
        }
        Map<String, List<String>> typesByQueue = runtime.handlersOnQueuesNotIn(served);
        if (typesByQueue.isEmpty()) {
            return Optional.empty();
        }
        String which = typesByQueue.entrySet().stream()
                .map(e -> UntrustedText.escape(String.join(", ", e.getValue())) + " (queue "
                        + UntrustedText.escape(e.getKey()) + ")")
                .collect(Collectors.joining("; "));
        String queues = UntrustedText.escape(String.join(", ", typesByQueue.keySet()));
        return Optional.of("jobq run: warning: this worker has handlers for " + which + " but works only "
                + listed(served)
                + ": jobs sent there (enqueued, or fired by the scheduler) wait until a worker that works " + queues
                + " takes them; if no other worker does, add " + queues + " to worker.queues (or --queues)");
    }

    /**
     * Queue names as jobq run's lines show them, in brackets, each escaped: a name may hold a bidirectional override
     * (U+202E), which raw reverses the rest of the line.
     */
    private static String listed(List<String> queues) {
        return queues.stream().map(UntrustedText::escape).toList().toString();
    }

    private String describe(JobQueue jobs, QueueSetup setup) {
        WorkerSettings worker = setup.config().worker();
        List<String> served = served(jobs, setup);
        SchedulerSection scheduler = setup.config().scheduler();
        String firing = scheduler == null ? "" : scheduler.enabled() ? "; the scheduler fires due jobs here"
                : "; scheduler.enabled is false: due jobs are fired elsewhere";
        return "queues " + listed(served) + " with concurrency "
                + (concurrency != null ? concurrency : worker.concurrency())
                + "; handlers: "
                + UntrustedText.escape(String.join(", ", new TreeSet<>(jobs.registeredTypes()))) + firing;
    }
}
