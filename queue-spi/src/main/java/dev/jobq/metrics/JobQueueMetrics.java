package dev.jobq.metrics;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.JobQueue;
import dev.jobq.QueueStats;
import dev.jobq.internal.runtime.JobQueueRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for one {@link JobQueue}, bound like any other {@link MeterBinder}:
 *
 * <pre>{@code
 * JobQueueMetrics metrics = new JobQueueMetrics(jobs);
 * metrics.bindTo(registry);          // Spring Boot: declare it as a @Bean MeterBinder
 * }</pre>
 *
 * <table>
 *   <caption>Meters (Prometheus names in brackets)</caption>
 *   <tr><td>{@code jobq.jobs} counter, tags queue, type, outcome</td>
 *       <td>attempts ended in this process: completed, failed, dead, released
 *       ({@code jobq_jobs_total}); a job whose type has no handler here counts as type
 *       {@value #UNREGISTERED_TYPE}; at 0 from the start for each queue the worker works (none when it is standalone)
 *       and each outcome of each handler type (registered before or after the bind), and outcome dead of type
 *       {@value #UNREGISTERED_TYPE}</td></tr>
 *   <tr><td>{@code jobq.job.duration} timer, tags queue, type, outcome</td>
 *       <td>handler time of those attempts ({@code jobq_job_duration_seconds})</td></tr>
 *   <tr><td>{@code jobq.jobs.enqueued} counter, tags queue, type</td>
 *       <td>jobs this process put on a queue's provider: enqueued directly, handed on by its scheduler
 *       when due (a held job once, not also when stored), or redriven from the dead letters
 *       ({@code jobq_jobs_enqueued_total})</td></tr>
 *   <tr><td>{@code jobq.jobs.scheduled} counter, tags queue, type</td>
 *       <td>jobs this process gave the scheduler to hold: for an instant, or a delay beyond the
 *       provider's ({@code jobq_jobs_scheduled_total}); counted in {@code jobq.jobs.enqueued} when
 *       handed on</td></tr>
 *   <tr><td>{@code jobq.queue.waiting}, {@code jobq.queue.delayed}, {@code jobq.queue.dead},
 *       {@code jobq.queue.in_flight} gauges, tag queue</td>
 *       <td>the provider's counts ({@link QueueStats}); NaN where it cannot tell or cannot be
 *       reached</td></tr>
 *   <tr><td>{@code jobq.handlers.active} gauge, tag queue</td>
 *       <td>handlers running in this process</td></tr>
 *   <tr><td>{@code jobq.scheduler.handoffs.rejected} counter, tag queue</td>
 *       <td>hand-offs of due jobs from this process's scheduler that their queue rejected (a limit of its provider
 *       lowered since the job was stored, the queue gone from the configuration): each try, the job kept and tried
 *       again every 5 minutes ({@code jobq_scheduler_handoffs_rejected_total}); at 0 for each queue from the start
 *       when the queue has a scheduler</td></tr>
 * </table>
 *
 * <p>The {@code jobq.queue.*} gauges read {@link JobQueue#stats(String)}, at most once per {@link #STATS_MAX_AGE} per queue
 * however many gauges a scrape reads, so a provider whose counts cost a request (SQS) is asked
 * once per scrape; the queues are read together, and a scrape waits at most
 * {@link dev.jobq.internal.runtime.StatsRead#MAX_WAIT} in all for providers that do not answer, whose
 * gauges then show NaN. Queues are those the queue has when bound. Micrometer is an optional dependency
 * of jobq: this class needs {@code io.micrometer:micrometer-core} on the class path, nothing else
 * does. Thread-safe; {@link #close()} stops counting and takes the gauges out of the registry (the
 * counters and timers stay), those of a {@link #bindTo} under way on another thread too, once it has ended;
 * closing the queue closes its binder too, so one bound and never closed (as
 * {@code new JobQueueMetrics(jobs).bindTo(registry)} leaves it) keeps no closed queue in a registry. A registry outliving the queue (a Spring context refreshed, a test suite
 * binding a queue per test) gets the gauges of the queue bound last: a binder's gauges replace those an
 * earlier binder left for the same queue name, which read a closed queue and kept it reachable. Bound again to a
 * registry it is bound to, a binder leaves it as it is: each event counts once. Two binders of one queue, both open, in
 * one registry count each event twice: make one per queue.
 */
public final class JobQueueMetrics implements MeterBinder, AutoCloseable {

    /** How long one read of a queue's stats serves its gauges. */
    public static final Duration STATS_MAX_AGE = Duration.ofSeconds(1);

    /**
     * The {@code type} tag of an attempt whose type the queue has no handler for (dead-lettered without
     * running): the types a queue's messages carry are not bounded, its handlers' are. The outcome's log
     * line and its dead letter keep the type.
     */
    public static final String UNREGISTERED_TYPE = "unregistered";

    /** The counter of hand-offs from the scheduler that their queue rejected. */
    static final String REJECTED_HAND_OFFS = "jobq.scheduler.handoffs.rejected";

    private final JobQueue jobs;
    /** The registries this binder is bound to: bound again, it would count each event there twice. */
    private final Set<MeterRegistry> registries = Collections.synchronizedSet(
            Collections.newSetFromMap(new IdentityHashMap<>()));
    private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> rejectedHandOffListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> handlerRegisteredListeners = new CopyOnWriteArrayList<>();
    /** The gauges this binder registered, each with its registry: they hold the queue, so close() takes them out. */
    private final List<Map.Entry<MeterRegistry, Gauge>> gauges = new CopyOnWriteArrayList<>();
    /** Closes this binder when its queue closes, so a binder nobody closes keeps no closed queue in a registry. */
    private final Runnable closeWithQueue = this::close;
    /**
     * Held by {@link #bindTo} and {@link #close} (not by counting an event): a close() while a bind is under way took
     * out the gauges and listeners bound so far, and those the bind added after it stayed, reading the queue and
     * counting its events, until the queue closed.
     */
    private final ReentrantLock binding = new ReentrantLock();

    public JobQueueMetrics(JobQueue jobs) {
        this.jobs = Objects.requireNonNull(jobs, "jobs");
    }

    /**
     * Registers this binder's meters in {@code registry} and starts counting there; a registry it is bound to already
     * is left as it is (a {@code MeterBinder} bean that a {@code bindTo} of the application's own binds again).
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        binding.lock();
        try {
            if (registries.add(registry)) {
                bind(registry);
            }
        } finally {
            binding.unlock();
        }
    }

    private void bind(MeterRegistry registry) {
        List<String> queues = jobs.queueNames();
        var stats = new CachedStats(queues, jobs::stats, STATS_MAX_AGE);
        for (String queue : queues) {
            gauge(registry, "jobq.queue.waiting", "jobs ready to run", queue, stats, QueueStats::waiting);
            gauge(registry, "jobq.queue.delayed", "jobs waiting for a delay or a retry backoff", queue, stats,
                    QueueStats::delayed);
            gauge(registry, "jobq.queue.dead", "jobs in the dead letters", queue, stats, QueueStats::dead);
            gauge(registry, "jobq.queue.in_flight", "jobs received by a worker of the queue and not yet settled",
                    queue, stats, QueueStats::inFlight);
            if (jobs instanceof JobQueueRuntime runtime) {
                // Counted in this process: a provider that cannot be reached does not make it NaN.
                register(registry, "jobq.handlers.active", queue,
                        Gauge.builder("jobq.handlers.active", runtime, r -> r.activeHandlers(queue))
                                .description("handlers running in this process").tag("queue", queue)
                                .strongReference(true));
            } else {
                gauge(registry, "jobq.handlers.active", "handlers running in this process", queue, stats,
                        QueueStats::active);
            }
        }
        if (jobs instanceof JobQueueRuntime runtime) {
            // At 0 from the start, as Prometheus counters of known labels are: else an alert on the rate of failed
            // attempts read no series until the first failure, and increase() missed that first one. A handler
            // registered after the bind (a Spring MeterBinder bound before the beans that register) too: heard
            // before the types are read, so that one registered meanwhile is not missed (a counter twice is one).
            List<String> worked = runtime.workedQueues();
            Consumer<String> registered = type -> worked.forEach(queue -> attemptsAtZero(registry, queue, type));
            handlerRegisteredListeners.add(registered);
            runtime.onHandlerRegistered(registered);
            for (String queue : worked) {
                for (String type : runtime.registeredTypes()) {
                    attemptsAtZero(registry, queue, type);
                }
                attempts(registry, queue, UNREGISTERED_TYPE, AttemptOutcome.Kind.DEAD); // its only outcome
            }
        }
        JobListener outcomes = new AttemptOutcomeListener(outcome -> record(registry, outcome, typeTag(outcome)));
        // A job held by the scheduler is announced twice: when stored, and when handed to its queue.
        JobListener enqueued = event -> {
            if (event instanceof JobEvent.Enqueued e) {
                Counter.builder(e.viaScheduler() ? "jobq.jobs.scheduled" : "jobq.jobs.enqueued")
                        .description(e.viaScheduler() ? "jobs this process gave the scheduler to hold"
                                : "jobs this process put on a queue, directly or handed on by its scheduler")
                        .tag("queue", e.queue()).tag("type", e.type()).register(registry).increment();
            }
        };
        listeners.add(outcomes);
        listeners.add(enqueued);
        jobs.addListener(outcomes);
        jobs.addListener(enqueued);
        if (jobs instanceof JobQueueRuntime runtime && jobs.hasScheduler()) {
            for (String queue : queues) {
                rejectedHandOffs(registry, queue); // at 0 from the start: an alert on its rate has a series to read
            }
            Consumer<String> rejected = queue -> rejectedHandOffs(registry, queue).increment();
            rejectedHandOffListeners.add(rejected);
            runtime.onRejectedHandOff(rejected);
        }
        if (jobs instanceof JobQueueRuntime runtime) {
            runtime.afterClose(closeWithQueue);
        }
    }

    private static Counter rejectedHandOffs(MeterRegistry registry, String queue) {
        return Counter.builder(REJECTED_HAND_OFFS)
                .description("hand-offs of due jobs from this process's scheduler that their queue rejected; the "
                        + "scheduler keeps each such job and tries it again every 5 minutes")
                .tag("queue", queue).register(registry);
    }

    /**
     * The outcome's type, or {@link #UNREGISTERED_TYPE} for a job that never reached a handler because
     * none is registered for its type. Asked only of attempts without handler time: those are rare.
     */
    private String typeTag(AttemptOutcome outcome) {
        if (outcome.handlerTime().isPresent() || !(jobs instanceof JobQueueRuntime runtime)
                || runtime.registeredTypes().contains(outcome.type())) {
            return outcome.type();
        }
        return UNREGISTERED_TYPE;
    }

    private static void attemptsAtZero(MeterRegistry registry, String queue, String type) {
        for (AttemptOutcome.Kind kind : AttemptOutcome.Kind.values()) {
            attempts(registry, queue, type, kind);
        }
    }

    private static Counter attempts(MeterRegistry registry, String queue, String type, AttemptOutcome.Kind kind) {
        return Counter.builder("jobq.jobs").description("job attempts ended in this process, by outcome")
                .tag("queue", queue).tag("type", type).tag("outcome", kind.label()).register(registry);
    }

    private static void record(MeterRegistry registry, AttemptOutcome outcome, String type) {
        attempts(registry, outcome.queue(), type, outcome.kind()).increment();
        outcome.handlerTime().ifPresent(duration -> Timer.builder("jobq.job.duration")
                .description("handler time of job attempts, by outcome")
                .tag("queue", outcome.queue()).tag("type", type).tag("outcome", outcome.kind().label())
                .register(registry).record(duration));
    }

    private void gauge(MeterRegistry registry, String name, String description, String queue,
                       CachedStats stats, ToDoubleFunction<QueueStats> value) {
        register(registry, name, queue, Gauge.builder(name, stats, s -> {
                    @Nullable QueueStats current = s.get(queue);
                    if (current == null) {
                        return Double.NaN;
                    }
                    double v = value.applyAsDouble(current);
                    return v < 0 ? Double.NaN : v;
                })
                .description(description).tag("queue", queue).strongReference(true));
    }

    /**
     * Registers a gauge in place of one an earlier binder left under the same name and queue: a registry
     * hands back the meter it holds for an id, so the gauges of a JobQueue built again (a Spring context
     * refreshed, a test suite) read the closed one, and keep it and its jobs reachable, for as long as the
     * registry lives. Found by the id it was registered under, before the registry's filters map it (one may
     * rename it); never this binder's own, which binds a registry once.
     */
    private <T> void register(MeterRegistry registry, String name, String queue, Gauge.Builder<T> builder) {
        registry.removeByPreFilterId(new Meter.Id(name, Tags.of("queue", queue), null, null, Meter.Type.GAUGE));
        Gauge gauge = builder.register(registry);
        if (!isMine(gauge)) {
            gauges.add(Map.entry(registry, gauge));
        }
    }

    private boolean isMine(Gauge gauge) {
        return gauges.stream().anyMatch(mine -> mine.getValue() == gauge);
    }

    /**
     * Stops counting events and takes this binder's gauges out of their registries (those a later binder
     * of the same queue has not already replaced); the counters and timers stay, with their counts.
     */
    @Override
    public void close() {
        binding.lock();
        try {
            unbind();
        } finally {
            binding.unlock();
        }
    }

    private void unbind() {
        if (jobs instanceof JobQueueRuntime runtime) {
            runtime.removeAfterClose(closeWithQueue);
        }
        for (JobListener listener : listeners) {
            jobs.removeListener(listener);
            listeners.remove(listener);
        }
        for (Consumer<String> listener : rejectedHandOffListeners) {
            if (jobs instanceof JobQueueRuntime runtime) {
                runtime.removeRejectedHandOffListener(listener);
            }
            rejectedHandOffListeners.remove(listener);
        }
        for (Consumer<String> listener : handlerRegisteredListeners) {
            if (jobs instanceof JobQueueRuntime runtime) {
                runtime.removeHandlerRegisteredListener(listener);
            }
            handlerRegisteredListeners.remove(listener);
        }
        for (Map.Entry<MeterRegistry, Gauge> mine : gauges) {
            MeterRegistry registry = mine.getKey();
            Gauge gauge = mine.getValue();
            if (registry.find(gauge.getId().getName()).tags(gauge.getId().getTags()).gauge() == gauge) {
                registry.remove(gauge);
            }
            gauges.remove(mine);
        }
        registries.clear();
    }
}
