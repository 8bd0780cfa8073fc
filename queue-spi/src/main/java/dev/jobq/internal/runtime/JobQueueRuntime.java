package dev.jobq.internal.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.jobq.HandlerOptions;
import dev.jobq.DeadLetter;
import dev.jobq.DeadLetters;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobHandler;
import dev.jobq.JobHandlerRegistry;
import dev.jobq.JobEvent;
import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.JobListener;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.QueueStats;
import dev.jobq.Scheduler;
import dev.jobq.WorkerMode;
import dev.jobq.internal.config.JobQueueConfig;
import dev.jobq.internal.worker.FailurePolicy;
import dev.jobq.internal.worker.QueueBinding;
import dev.jobq.internal.worker.ReceiveOutage;
import dev.jobq.internal.worker.RunEnvironment;
import dev.jobq.internal.worker.Worker;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.UntrustedText;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link JobQueue}: named queues with their providers, the handler registry, the enqueue path,
 * the optional scheduler and the in-process worker. Built by {@link RuntimeAssembly} from a
 * {@link RuntimeSpec}.
 */
public final class JobQueueRuntime implements JobQueue {

    static final String NULL_OPTIONS = "options must not be null; pass EnqueueOptions.none() for the defaults";

    private static final Logger log = LoggerFactory.getLogger(JobQueueRuntime.class);
    /** How often close() looks whether the enqueue calls under way have finished. */
    private static final long ENQUEUE_CHECK_NANOS = Duration.ofMillis(1).toNanos();

    /** The limits a job envelope is read with: Jackson's defaults ({@code EnvelopeCodec}), for numbers and names. */
    private static final StreamReadConstraints ENVELOPE_LIMITS = StreamReadConstraints.builder().build();
    private static final JsonFactory ENVELOPE_READ = JsonFactory.builder().streamReadConstraints(ENVELOPE_LIMITS)
            .build();

    private final JobQueueConfig config;
    private final Map<String, QueueBinding> queues;
    private final Map<String, String> providerTypes;
    private final HandlerRegistry handlers = new HandlerRegistry();
    private final JobHandlerRegistry registering;
    private final EventBus events;
    private final ObjectMapper mapper;
    private final InstantSource clock;
    private final Enqueuer enqueuer;
    private final @Nullable JobScheduler scheduler;
    private final @Nullable Scheduler schedulerApi;
    private final boolean schedulerFires;
    /** The config file read, named where a handler's unknown queue or the scheduler is to be added; else null. */
    private final @Nullable Path configFile;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private @Nullable Worker worker;
    /** How many jobs the worker receives in its life ({@code jobq run --max-jobs}); 0 for no limit. */
    private long maxJobs;
    /** Whether start() logs the handlers whose queue its worker does not work; {@code jobq run} says it itself. */
    private boolean warnOfUnworkedQueues = true;
    private boolean started;
    private volatile boolean closed;
    /** A VirtualMachineError of the scheduler's stopFiring(), handed on by close() once every part is closed. */
    private volatile @Nullable VirtualMachineError stopFiringFatal;
    /**
     * Set by close() once the worker has stopped, not when close() begins: a handler still finishing in
     * the drain may enqueue its follow-up jobs, as handlers do.
     */
    private volatile boolean refusingEnqueues;
    /** Enqueue calls under way: close() lets them finish before it closes what they send to. */
    private final AtomicInteger enqueuing = new AtomicInteger();
    /** Counted down once the shutdown that the first close() began has closed everything. */
    private final CountDownLatch shutDownEnded = new CountDownLatch(1);
    private volatile @Nullable Thread shuttingDown;
    /** Run once the shutdown has closed everything: what outlives the queue lets go of it (the metrics' gauges). */
    private final List<Runnable> afterClose = new CopyOnWriteArrayList<>();
    /** Told each job type registered from now on: the metrics' series of its outcomes start at 0. */
    private final List<Consumer<String>> handlerRegistered = new CopyOnWriteArrayList<>();

    JobQueueRuntime(JobQueueConfig config, Map<String, QueueBinding> queues, Map<String, String> providerTypes,
                    EventBus events, ObjectMapper mapper, InstantSource clock,
                    Function<Enqueuer, @Nullable JobScheduler> schedulerFactory,
                    boolean schedulerFires, @Nullable Path configFile) {
        this.config = config;
        this.queues = queues;
        this.providerTypes = providerTypes;
        this.events = events;
        this.mapper = mapper;
        this.registering = handlers.registering(mapper);
        this.clock = clock;
        this.schedulerFires = schedulerFires;
        this.configFile = configFile;
        this.enqueuer = new Enqueuer(queues, providerTypes, handlers, events, mapper, clock, configFile);
        this.scheduler = schedulerFactory.apply(enqueuer);
        this.enqueuer.useScheduler(scheduler);
        this.schedulerApi = scheduler == null ? null : new SchedulerFacade(scheduler, enqueuer, this::admit);
    }

    /** Builds a queue from what the builder collected. */
    public static JobQueue create(RuntimeSpec spec) {
        return RuntimeAssembly.assemble(spec);
    }

    static ObjectMapper defaultMapper() {
        // Handlers bind payloads on a new virtual thread per attempt: Jackson's default thread-local
        // buffer pool would allocate fresh buffers (16 KB of char[]) for every job. A pool shared by
        // this mapper's threads recycles them.
        JsonFactory factory = JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build();
        return JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // A constant a newer producer added reads as the enum's @JsonEnumDefaultValue one, where it
                // declares one, so an older worker still runs the job during a rolling deploy.
                .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
                // An OffsetDateTime or ZonedDateTime is written with its offset: read it back with that
                // offset, not moved to UTC (a 09:30+05:30 appointment stays 09:30 for the handler).
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .build();
    }

    @Override
    public <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler) {
        requireOpen();
        registering.registerJobHandler(type, payloadType, handler);
        announceRegistered(type);
    }

    @Override
    public <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler) {
        requireOpen();
        registering.registerJobHandler(type, payloadType, handler);
        announceRegistered(type);
    }

    @Override
    public <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler,
                                       HandlerOptions options) {
        requireOpen();
        Objects.requireNonNull(options, HandlerRegistry.NULL_OPTIONS);
        requireQueue(type, options);
        registering.registerJobHandler(type, payloadType, handler, options);
        announceRegistered(type);
    }

    @Override
    public <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler,
                                       HandlerOptions options) {
        requireOpen();
        Objects.requireNonNull(options, HandlerRegistry.NULL_OPTIONS);
        requireQueue(type, options);
        registering.registerJobHandler(type, payloadType, handler, options);
        announceRegistered(type);
    }

    /**
     * Tells the listeners of registrations, after the handler is registered: one that throws (a meter registry
     * refusing a series) is logged, not thrown, which would fail a call whose handler is registered and runs, and
     * whose retry is refused as already registered. What it threw is logged as a handler's failure is: a message
     * that throws (read by {@code e.toString()}, it failed the call after all) or of any size, one line of its first
     * 1,000 characters, escaped. An {@code Error} too (a registry built against another Micrometer throws a
     * {@code LinkageError}), as a listener of job events may throw one; not a {@code VirtualMachineError} other than a
     * {@code StackOverflowError}, which the JVM is out of.
     */
    private void announceRegistered(String type) {
        for (Consumer<String> listener : handlerRegistered) {
            try {
                listener.accept(type);
            } catch (Throwable e) {
                if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                    throw e;
                }
                log.warn("job type '{}' is registered, but a listener of registrations failed on it: {}; its "
                        + "metrics series may start with its first outcome instead of at 0", Enqueuer.shownType(type),
                        FailurePolicy.messageLine(e), FailurePolicy.loggable(e));
            }
        }
    }

    /**
     * A type's default queue must be one of this queue's: else each of its enqueues would be refused. The type itself
     * is checked first, so that a blank one is refused as blank, not for its queue.
     */
    private void requireQueue(String type, HandlerOptions options) {
        HandlerRegistry.requireType(type);
        HandlerRegistry.requireConfiguredQueue(type, options, queues.keySet(), configFile);
    }

    @Override
    public Set<String> registeredTypes() {
        return handlers.types();
    }

    /**
     * The registered types whose {@link HandlerOptions} name a queue not in {@code served}, by that queue (in
     * name order): their jobs go there unless an enqueue says otherwise, and a worker that works only
     * {@code served} never takes them. Types that name no queue are left out: where their jobs go is chosen at
     * enqueue.
     */
    public Map<String, List<String>> handlersOnQueuesNotIn(List<String> served) {
        var typesByQueue = new TreeMap<String, List<String>>();
        for (String type : new TreeSet<>(handlers.types())) {
            handlers.find(type).map(r -> r.options().queue()).filter(queue -> !served.contains(queue))
                    .ifPresent(queue -> typesByQueue.computeIfAbsent(queue, q -> new ArrayList<>()).add(type));
        }
        return Collections.unmodifiableMap(typesByQueue);
    }

    /**
     * For {@code jobq run}, which says it on stderr in its own words: {@link #start()} does not log the handlers
     * whose queue its worker does not work. Before {@link #start()}.
     */
    public void leaveUnworkedQueueWarningToCaller() {
        lifecycle.lock();
        try {
            if (started) {
                throw new IllegalStateException("leaveUnworkedQueueWarningToCaller must be called before start()");
            }
            warnOfUnworkedQueues = false;
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public String enqueue(String type, @Nullable Object payload, EnqueueOptions options) {
        Objects.requireNonNull(options, NULL_OPTIONS);
        beginEnqueue();
        try {
            return enqueuer.enqueue(type, payload, options);
        } finally {
            enqueuing.decrementAndGet();
        }
    }

    @Override
    public List<String> enqueueAll(String type, List<?> payloads, EnqueueOptions options) {
        Objects.requireNonNull(payloads, "payloads must not be null; pass List.of() for none");
        Objects.requireNonNull(options, NULL_OPTIONS);
        beginEnqueue();
        try {
            return enqueuer.enqueueAll(type, payloads, options);
        } finally {
            enqueuing.decrementAndGet();
        }
    }

    /** A scheduler call, counted in as an enqueue is: close() waits for it, and refuses it once the worker stopped. */
    private <T> T admit(Supplier<T> call) {
        beginEnqueue();
        try {
            return call.get();
        } finally {
            enqueuing.decrementAndGet();
        }
    }

    /**
     * Counts an enqueue in before it reads {@code refusingEnqueues}; close() sets it before it reads
     * the count, so it either waits for this call or this call sees the queue closed.
     */
    private void beginEnqueue() {
        enqueuing.incrementAndGet();
        if (refusingEnqueues) {
            enqueuing.decrementAndGet();
            throw closedQueue();
        }
    }

    /**
     * Has the in-process worker receive {@code max} jobs over all its queues and then no more, for
     * {@code jobq run --max-jobs}: those it received run to their end and the rest stay on their queues.
     * Before {@link #start()}.
     */
    public void limitJobs(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("max jobs must be ≥ 1, got " + max);
        }
        lifecycle.lock();
        try {
            if (started) {
                throw new IllegalStateException("limitJobs must be called before start()");
            }
            maxJobs = max;
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public void start() {
        lifecycle.lock();
        try {
            requireOpen();
            if (started) {
                return;
            }
            started = true;
            try {
                if (config.worker().mode() == WorkerMode.IN_PROCESS) {
                    startWorker();
                } else {
                    log.info("jobq: worker mode is standalone; this process only enqueues (run `jobq run` to work)");
                }
                // Not once a listener closed the queue meanwhile (of WorkerStarted, on this thread): close() has
                // closed the scheduler, which was then started again under a closed queue.
                if (scheduler != null && schedulerFires && !closed) {
                    scheduler.start();
                }
            } catch (RuntimeException | Error e) {
                undoStart(e);
                throw e;
            }
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * A start() that failed halfway (the scheduler's start threw) stops the worker it started: its threads ran on
     * with no one to close them (a container whose init method throws never calls the destroy method), and a second
     * start() returned at once as though the first had succeeded, with the scheduler never firing.
     */
    private void undoStart(Throwable cause) {
        started = false;
        Worker running = worker;
        worker = null;
        if (running != null) {
            try {
                running.close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    private void startWorker() {
        List<String> names = workedQueues();
        List<QueueBinding> consumed = new ArrayList<>();
        for (String name : names) {
            QueueBinding binding = queues.get(name);
            if (binding == null) {
                throw new JobQueueException("worker.queues names queue "
                        + UntrustedText.singleQuote(name, JobOptions.MAX_QUEUE_NAME) + ", which is not configured "
                        + "(configured: " + UntrustedText.escape(String.join(", ", queues.keySet())) + ")");
            }
            consumed.add(binding);
        }
        if (handlers.types().isEmpty()) {
            log.warn("jobq worker starting with no job handlers registered: every job it receives will be "
                    + "dead-lettered; register handlers before start()");
        }
        if (warnOfUnworkedQueues) {
            warnOfUnworkedQueues(names);
        }
        var env = new RunEnvironment(handlers, events, clock, config.worker().backoff(), this);
        worker = new Worker(config.worker(), consumed, env, maxJobs);
        worker.start();
    }

    /**
     * The queues this process's worker works once started, in the order it takes them: {@code worker.queues}, else all
     * the configured queues; none when {@code worker.mode} is standalone (this process only enqueues).
     */
    public List<String> workedQueues() {
        if (config.worker().mode() != WorkerMode.IN_PROCESS) {
            return List.of();
        }
        return config.worker().queues().isEmpty() ? List.copyOf(queues.keySet()) : config.worker().queues();
    }

    /**
     * A handler whose type's queue this worker leaves out (a queue missing from {@code worker.queues}) has its
     * jobs wait there unseen, unless another process works that queue, which this one cannot know.
     */
    private void warnOfUnworkedQueues(List<String> served) {
        Map<String, List<String>> typesByQueue = handlersOnQueuesNotIn(served);
        if (typesByQueue.isEmpty()) {
            return;
        }
        // escaped: a queue name or a type may hold a bidirectional override, which raw reverses the rest of the line
        String which = typesByQueue.entrySet().stream()
                .map(e -> UntrustedText.escape(String.join(", ", e.getValue())) + " (queue "
                        + UntrustedText.escape(e.getKey()) + ")")
                .collect(Collectors.joining("; "));
        String missing = UntrustedText.escape(String.join(", ", typesByQueue.keySet()));
        log.warn("jobq worker has handlers for {} but works only {}: jobs sent there (enqueued, or fired by the "
                + "scheduler) wait until a worker that works {} takes them; if no other worker does, add {} to "
                + "worker.queues (or the builder's workerQueues)", which,
                served.stream().map(UntrustedText::escape).toList(), missing, missing);
    }

    @Override
    public Optional<JobInfo> getJob(String jobId) {
        Objects.requireNonNull(jobId, "jobId"); // here, not only in a provider that looks jobs up (SQS asks none)
        for (QueueBinding queue : queues.values()) {
            if (queue.provider().capabilities().supports(Feature.JOB_LOOKUP)) {
                Optional<JobInfo> found = queue.provider().getJob(jobId);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        // Asked after the queues: a job being handed on is in both until the hand-off commits. Admitted as the
        // scheduler's own calls are: close() closed the scheduler's pool under a look-up under way, and one made
        // after close() failed with the pool's words ("HikariDataSource ... has been closed") instead of ours.
        return scheduler == null ? Optional.empty() : admit(() -> scheduler.getJob(jobId));
    }

    @Override
    public QueueStats stats(String queue) {
        QueueBinding binding = enqueuer.binding(queue);
        try {
            return stats(queue, binding.provider().stats(), binding.counters());
        } catch (RuntimeException e) {
            if (!refusingEnqueues) {
                throw e;
            }
            // After close() the memory provider answered (what it held when it closed) and SQS failed in its closed
            // client's words (a RejectedExecutionException). A provider that can no longer tell has its counts -1;
            // what this process counted stays readable, for a last report after close().
            return countedHere(queue);
        }
    }

    /**
     * What this process counted on {@code queue}, without asking its provider: waiting, delayed and dead
     * are {@link ProviderStats#UNKNOWN}. A health report still has these while the provider cannot be read.
     */
    public QueueStats countedHere(String queue) {
        long unknown = ProviderStats.UNKNOWN;
        return stats(queue, new ProviderStats(unknown, unknown, unknown, unknown), enqueuer.binding(queue).counters());
    }

    private static QueueStats stats(String queue, ProviderStats provider, QueueCounters counters) {
        return new QueueStats(queue, provider.waiting(), provider.delayed(), counters.activeCount(),
                counters.completedCount(), counters.failedCount(), provider.dead(), counters.throughputPerSecond(),
                counters.successRate(), counters.averageDuration(), counters.peakActiveCount(), provider.inFlight());
    }

    @Override
    public List<QueueStats> stats() {
        return queues.keySet().stream().map(this::stats).toList();
    }

    @Override
    public List<String> queueNames() {
        return List.copyOf(queues.keySet());
    }

    @Override
    public Optional<DeadLetters> deadLetters(String queue) {
        QueueBinding binding = enqueuer.binding(queue);
        QueueProvider provider = binding.provider();
        return provider.deadLetters().map(letters -> new AnnouncingRedrives(binding, letters));
    }

    /**
     * A queue's dead letters whose redrive is announced as {@link JobEvent.Enqueued}, as any job put
     * on a queue is: the provider redrives inside itself and has no events, and without this listeners
     * (and {@code jobq_jobs_enqueued_total}) saw a dead job start again out of nowhere.
     */
    private final class AnnouncingRedrives implements DeadLetters {

        private final String queue;
        private final String shownQueue;
        private final QueueProvider provider;
        private final DeadLetters letters;

        AnnouncingRedrives(QueueBinding binding, DeadLetters letters) {
            this.queue = binding.name();
            this.shownQueue = binding.shownName();
            this.provider = binding.provider();
            this.letters = letters;
        }

        @Override
        public List<DeadLetter> list(int limit) {
            if (limit < 0) { // checked here too, so every provider's store refuses it as DeadLetters says
                throw new IllegalArgumentException("dead letters of queue '" + shownQueue + "': list(limit): limit "
                        + "must be ≥ 0, got " + limit + "; pass how many of the newest to list (0 gives none)");
            }
            return letters.list(limit);
        }

        @Override
        public boolean redrive(String jobId) {
            // The type, for the event: a provider that keeps dead letters looks its jobs up. Before the redrive: once
            // back on its queue the job may run and end before a look-up after it, which on a queue that keeps no
            // completed jobs (maxHistorySize: 0) found it no more, and its Enqueued was never announced. Admitted as
            // the redrive is: after close() a provider's look-up failed in its own words ("pool has been closed").
            String type = events.hasListeners()
                    ? admit(() -> provider.getJob(jobId)).map(JobInfo::type).orElse(null)
                    : null;
            // An enqueue, admitted as one: after close() it put the job back on a closed queue, where it never
            // ran, and answered true.
            if (!admit(() -> !keyHeldByScheduler(jobId) && letters.redrive(jobId))) {
                return false;
            }
            if (type != null) {
                Instant now = clock.instant();
                events.publish(new JobEvent.Enqueued(now, queue, jobId, type, now, false));
            }
            return true;
        }

        @Override
        public boolean delete(String jobId) {
            return letters.delete(jobId);
        }

        /**
         * Whether the scheduler holds a job for this queue with the dead job's deduplication key: a key is held across
         * the two stores (docs/semantics.md, Deduplication), and the provider knows only its own. Redriven beside it,
         * two jobs with one key were pending, and the held one was dropped as a duplicate at its hand-off if the
         * redriven one still ran then. As across the stores at enqueue, the look-up is not atomic with the redrive.
         */
        private boolean keyHeldByScheduler(String jobId) {
            JobScheduler target = scheduler;
            if (target == null) {
                return false;
            }
            String key = provider.getJob(jobId).map(job -> job.options().deduplicationKey()).orElse(null);
            return key != null && target.jobHoldingKey(queue, key).isPresent();
        }
    }

    @Override
    public Scheduler scheduler() {
        if (schedulerApi == null) {
            throw new JobQueueException("no scheduler is configured; add a 'scheduler:' section to "
                    + Enqueuer.fileToEdit(configFile) + " (scheduler: {enabled: true}) with "
                    + "dev.jobq:scheduler-jdbc on the classpath, or call "
                    + "JobQueue.builder().scheduler(\"jdbc\", Map.of(\"jdbcUrl\", ...))");
        }
        return schedulerApi;
    }

    @Override
    public boolean hasScheduler() {
        return schedulerApi != null;
    }

    @Override
    public void addListener(JobListener listener) {
        events.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(JobListener listener) {
        events.remove(listener);
    }

    /**
     * The jobs the in-process worker received under {@link #limitJobs} and ended with an outcome (completed,
     * failed or dead), each counted before its event reaches the listeners; not the messages a provider ends
     * on its own (SQS: an unreadable body, a newer envelope), whose events look like a handler's. 0 without a
     * limit or before {@link #start()}.
     */
    public long jobsEnded() {
        Worker w = worker;
        return w == null ? 0 : w.jobsEnded();
    }

    /** The in-process worker's running handlers, for health checks; 0 when no worker runs. */
    public int activeHandlers() {
        Worker w = worker;
        return w == null ? 0 : w.activeHandlers();
    }

    /**
     * The in-process worker's handlers still running past their attempt's timeout, each holding a
     * permit (see {@link Worker#overdueHandlers()}); 0 when no worker runs.
     */
    public int overdueHandlers() {
        Worker w = worker;
        return w == null ? 0 : w.overdueHandlers();
    }

    /**
     * Receives from {@code queue} failing since some time (see {@link Worker#receiveOutage}); empty while they
     * work, when no worker runs, or for a queue it does not serve.
     */
    public Optional<ReceiveOutage> receiveOutage(String queue) {
        Worker w = worker;
        return w == null ? Optional.empty() : w.receiveOutage(queue);
    }

    /**
     * Handlers of {@code queue} running in this process now, as {@link QueueStats#active()} counts them,
     * without asking the provider: this count stays readable while the provider is not.
     */
    public int activeHandlers(String queue) {
        return enqueuer.binding(queue).counters().activeCount();
    }

    /**
     * {@code listener} is told the queue's name of each hand-off from this queue's scheduler that the queue rejected
     * (the scheduler keeps the job and tries it again); for the metrics. Called on the scheduler's thread.
     */
    public void onRejectedHandOff(java.util.function.Consumer<String> listener) {
        enqueuer.onRejectedHandOff(listener);
    }

    /** Stops telling {@code listener} of rejected hand-offs. */
    public void removeRejectedHandOffListener(java.util.function.Consumer<String> listener) {
        enqueuer.removeRejectedHandOffListener(listener);
    }

    /**
     * {@code listener} is told the type of each handler registered from now on, on the registering thread, once the
     * handler is in place; for the metrics, whose series of a type's outcomes start at 0 when it registers.
     */
    public void onHandlerRegistered(Consumer<String> listener) {
        handlerRegistered.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops telling {@code listener} of handlers registered. */
    public void removeHandlerRegisteredListener(Consumer<String> listener) {
        handlerRegistered.remove(listener);
    }

    /**
     * Runs {@code action} once this queue has shut down, on the thread that shut it down; at once when it already
     * has. For what a registry that outlives the queue holds of it: a metrics binder's gauges read the queue, and
     * kept it, its providers and its jobs reachable after close() when the binder itself was never closed.
     */
    public void afterClose(Runnable action) {
        afterClose.add(Objects.requireNonNull(action, "action"));
        if (shutDownEnded.getCount() == 0 && afterClose.remove(action)) {
            action.run();
        }
    }

    /** Forgets an action given to {@link #afterClose} (the binder closed first). */
    public void removeAfterClose(Runnable action) {
        afterClose.remove(action);
    }

    /**
     * Whether a job for {@code queue} with {@code delay} goes to the queue's provider, which holds that delay, and not
     * to the scheduler (as enqueue routes it); true for a queue not configured here, which enqueue refuses naming it.
     * For {@code jobq enqueue --delay}, which needs the scheduler's store only when the provider cannot hold the delay.
     */
    public boolean providerHolds(String queue, Duration delay) {
        return enqueuer.providerHolds(queue, delay);
    }

    /**
     * Refuses {@code delay} from {@code now} where it ends past the last instant a job can be due, in enqueue's words:
     * for {@code jobq enqueue --delay}, which checks it before anything connects.
     *
     * @throws IllegalArgumentException naming the delay and the last instant
     */
    public static void requireDelayEnds(Instant now, Duration delay) {
        Enqueuer.plusDelay(now, delay);
    }

    /**
     * {@code payloadType} (a class, or a {@code TypeReference}'s type) as this queue's mapper makes it, and below a
     * reader of it: as a handler registered for it has its payloads read ({@link HandlerRegistry}), for
     * {@code EnqueuedJobs.payloads}.
     */
    public JavaType payloadType(Type payloadType) {
        return mapper.constructType(payloadType);
    }

    public ObjectReader payloadReader(JavaType payloadType) {
        return mapper.readerFor(payloadType);
    }

    /** Provider type name per queue ("memory", "sqs", or the class name of one built in code). */
    public Map<String, String> providerTypes() {
        return Map.copyOf(providerTypes);
    }

    @Override
    public void close() {
        boolean first;
        lifecycle.lock();
        try {
            first = !closed;
            // Before the worker drains: a job falling due meanwhile stays in the store for the next
            // start, where it would go to a queue that is closing (a memory queue drops it).
            if (first && scheduler != null) {
                stopFiringFatal = stopFiringQuietly(scheduler);
            }
            closed = true;
        } finally {
            lifecycle.unlock();
        }
        Worker running = worker;
        boolean onHandlerThread = running != null && running.runsAttemptOn(Thread.currentThread());
        // A listener of what a provider announces as it receives (SQS: a message it cannot read) runs on a poll loop,
        // which the drain interrupts and waits for: close() there waited 5 s for itself, and its own interrupt cut
        // the drain short, so running handlers were cancelled at once.
        boolean onPollLoop = running != null && running.pollsOn(Thread.currentThread());
        // A listener of a job the scheduler hands on runs on the scheduler's thread, which closing the scheduler
        // waits for: close() there waited 10 s for itself, then interrupted it, its hand-off's transaction too.
        boolean onSchedulerThread = enqueuer.handsOffOn(Thread.currentThread());
        // A listener of Enqueued (or Deduplicated) runs inside that enqueue call, which the shutdown lets finish:
        // close() there waited shutdownTimeout for itself, then said whether its job was enqueued was unknown.
        boolean inEnqueue = enqueuer.announcesOn(Thread.currentThread());
        if (!first) {
            if (!onHandlerThread && !onPollLoop && !onSchedulerThread && !inEnqueue) {
                awaitShutDown();
            }
            return;
        }
        if (onHandlerThread || onPollLoop || onSchedulerThread || inEnqueue) {
            // The drain waits for every running handler, the caller's too, which cannot return while it
            // waits: close() held it for shutdownTimeout, then released its job to be run again.
            log.info("jobq: close() was called from a {}; the shutdown goes on in the background and waits for it "
                    + "to return", onHandlerThread ? "handler (or a listener of its attempt's events)"
                    : onPollLoop ? "listener on a poll loop's thread, of a job its provider ended as it received it"
                    : onSchedulerThread ? "listener on the scheduler's thread, handing a due job on"
                    : "listener of an enqueue, inside that enqueue call");
            Thread.ofPlatform().name("jobq-close").daemon(false).start(this::shutDown);
            return;
        }
        shutDown();
    }

    private void shutDown() {
        shuttingDown = Thread.currentThread();
        // The caller's interrupt (see Worker.close) stays the caller's: the waits below are bounded, and with the flag
        // set awaitEnqueues' parkNanos returned at once, a busy loop for up to shutdownTimeout. Set again at the end.
        boolean interrupted = Thread.interrupted();
        boolean closedAll = false;
        try {
            if (worker != null) {
                worker.close();
            }
            interrupted |= Thread.interrupted();
            refusingEnqueues = true;
            interrupted |= awaitEnqueues();
            VirtualMachineError fatal = stopFiringFatal;
            if (scheduler != null) {
                fatal = closeQuietly("scheduler", scheduler, fatal);
            }
            for (QueueBinding queue : queues.values()) {
                fatal = closeQuietly("provider of queue '" + queue.shownName() + "'", queue.provider(), fatal);
            }
            closedAll = fatal == null;
            if (fatal != null) {
                throw fatal; // once every part is closed, as the worker hands on a handler's after recording it
            }
        } finally {
            shutDownEnded.countDown();
            VirtualMachineError actionFatal = runAfterClose();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (actionFatal != null && closedAll) {
                throw actionFatal; // not in place of what the shutdown throws
            }
        }
    }

    /**
     * Runs the after-close actions, logging what each throws; returns the first VirtualMachineError one threw (not a
     * StackOverflowError), else null. Throwable: an action's Error (a LinkageError of a metrics binder) skipped the
     * actions after it and the interrupt flag set again, and replaced a fatal error being handed on.
     */
    private @Nullable VirtualMachineError runAfterClose() {
        VirtualMachineError fatal = null;
        for (Runnable action : afterClose) {
            if (!afterClose.remove(action)) {
                continue; // removed meanwhile, or run by an afterClose() racing this one
            }
            try {
                action.run();
            } catch (Throwable e) {
                warnFailed("an action run after the queue closed failed", e);
                if (fatal == null && e instanceof VirtualMachineError own && !(e instanceof StackOverflowError)) {
                    fatal = own;
                }
            }
        }
        return fatal;
    }

    /**
     * A second close() (a shutdown hook beside the application's own, say) waits for the first to end, as
     * the first caller does: returning at once let its caller close what running handlers still use (a
     * DataSource) while they drained. As long as the first: its drain is bounded (shutdownTimeout, the release
     * waits), but not a provider's close(), which a third-party provider may never return from, nor a listener of
     * WorkerStopped, published on the thread that shuts down after the drain; this call then waits with the first,
     * without a bound of its own (docs/semantics.md; unlike the scheduler's second close()).
     */
    private void awaitShutDown() {
        if (Thread.currentThread() == shuttingDown) {
            return; // a listener of WorkerStopped, say, on the thread that shuts down
        }
        // As the first close(): an interrupt the caller had, or one meanwhile, does not end the wait (it returned at
        // once, and its caller closed what the draining handlers still used); it is set again on return.
        boolean interrupted = false;
        while (true) {
            try {
                shutDownEnded.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Lets enqueue calls under way when close() began finish, for up to {@code shutdownTimeout}:
     * closing the provider under one (an SQS send in flight) failed it although its job may have
     * been sent, so a caller that enqueued again on that error made a duplicate. True if the thread was
     * interrupted meanwhile: the interrupt is taken as it comes, since with the flag set every park returned at
     * once, a busy loop for up to shutdownTimeout, and it does not end the wait (bounded, as the releases' is).
     */
    private boolean awaitEnqueues() {
        Duration timeout = config.worker().shutdownTimeout();
        long start = System.nanoTime();
        boolean interrupted = false;
        while (enqueuing.get() > 0) {
            if (System.nanoTime() - start >= timeout.toNanos()) {
                log.warn("jobq closing with {} enqueue calls still under way after {} (worker.shutdownTimeout): "
                        + "they may fail, and whether their jobs were enqueued is unknown", enqueuing.get(),
                        DurationFormat.format(timeout));
                return interrupted;
            }
            LockSupport.parkNanos(ENQUEUE_CHECK_NANOS);
            interrupted |= Thread.interrupted();
        }
        return interrupted;
    }

    private void requireOpen() {
        if (closed) {
            throw closedQueue();
        }
    }

    static JobQueueException closedQueue() {
        return new JobQueueException("this JobQueue is closed; build a new one");
    }

    /**
     * Stops the scheduler's firing, logging what it throws; returns a VirtualMachineError it threw (not a
     * StackOverflowError) for close() to hand on once every part is closed, else null. Throwable: an Error (a
     * NoClassDefFoundError) went out of close() before it closed anything, the scheduler and every provider left open.
     */
    private static @Nullable VirtualMachineError stopFiringQuietly(JobScheduler scheduler) {
        try {
            scheduler.stopFiring();
        } catch (Throwable e) {
            warnFailed("stopping the scheduler's firing failed; it stops when it is closed", e);
            if (e instanceof VirtualMachineError own && !(e instanceof StackOverflowError)) {
                return own;
            }
        }
        return null;
    }

    /**
     * Closes {@code closeable}, logging what it throws; returns {@code fatal}, or if that is null and it threw a
     * VirtualMachineError (not a StackOverflowError, its own recursion), that, for close() to hand on once the other
     * parts are closed. Throwable: a provider's Error (a NoClassDefFoundError of a class gone by the shutdown) went out
     * of close(), past the providers of the queues after it, which were left open.
     */
    private static @Nullable VirtualMachineError closeQuietly(String what, AutoCloseable closeable,
            @Nullable VirtualMachineError fatal) {
        try {
            closeable.close();
        } catch (Throwable e) {
            // warnFailed: a provider's exception whose getMessage() throws threw out of this line, past the closing of
            // the queue's other providers, and out of close()
            warnFailed("closing the " + what + " failed", e);
            if (fatal == null && e instanceof VirtualMachineError own && !(e instanceof StackOverflowError)) {
                return own;
            }
        }
        return fatal;
    }

    /**
     * Logs {@code line} at WARN with what a part being closed threw, made log-safe ({@link FailurePolicy#loggable}), or
     * where reading it ran out of memory (which LoggableThrowables hands on) with its class's name and that: {@code
     * closing the provider of queue 'default' failed: com.example.Oops (its getMessage() threw OutOfMemoryError)}. That
     * OutOfMemoryError went out of close(), past the providers of the queues after it, which were left open.
     */
    private static void warnFailed(String line, Throwable e) {
        Throwable logged;
        try {
            logged = FailurePolicy.loggable(e);
        } catch (VirtualMachineError unreadable) {
            log.warn("{}: {}", line, FailurePolicy.unreadableName(e, unreadable));
            return;
        }
        log.warn("{}", line, logged);
    }

    static String toJson(ObjectMapper mapper, String type, @Nullable Object payload) {
        String json;
        try {
            json = escapeUnsendable(mapper.writeValueAsString(payload));
        } catch (JsonProcessingException e) {
            throw new dev.jobq.JobRejectedException("payload of job type '" + Enqueuer.shownType(type) + "' ("
                    + (payload == null ? "null" : payload.getClass().getName()) + ") cannot be written as JSON: "
                    + unwritable(mapper, e) + "; payloads must be plain data Jackson can serialize", e);
        }
        requireReadable(mapper, type, payload, json);
        return json;
    }

    /** The references of Jackson's chain a refusal names at each end; the cause keeps them all. */
    private static final int CHAIN_ENDS = 4;

    /**
     * Jackson's message, with the property it failed on, in Jackson's words but for two things the cause keeps: what
     * Jackson names by a key, not a bean's property (a map's entry, a Map.Entry), is named by its class only, not the
     * key (the payload's data: an e-mail address, a token), and a chain longer than {@code 2 * CHAIN_ENDS + 1} is
     * shortened to its ends (round a cycle, in an entity graph, the commonest payload Jackson cannot write, it is a
     * thousand references, 43 KB on one line).
     */
    private static String unwritable(ObjectMapper mapper, JsonProcessingException e) {
        if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
            return e.getMessage();
        }
        List<String> refs = mapping.getPath().stream().map(reference -> describe(mapper, reference)).toList();
        String chain = refs.size() <= 2 * CHAIN_ENDS + 1 ? String.join("->", refs)
                : String.join("->", refs.subList(0, CHAIN_ENDS)) + "->(" + (refs.size() - 2 * CHAIN_ENDS) + " more)->"
                        + String.join("->", refs.subList(refs.size() - CHAIN_ENDS, refs.size()));
        return e.getOriginalMessage() + " (through reference chain: " + chain + ")";
    }

    /**
     * A reference as Jackson describes it, unless it names something by a key: an index (of a list or an array,
     * whatever its element) and a bean's property are the payload's shape, but a name anything else gives is its data,
     * be it a map's key, a Map.Entry's, or the key of a map-like type that a module or a serializer of the user's
     * writes.
     */
    private static String describe(ObjectMapper mapper, JsonMappingException.Reference reference) {
        Object from = reference.getFrom();
        if (reference.getFieldName() == null || (from != null && writtenAsBean(mapper, from.getClass()))) {
            return reference.getDescription();
        }
        return (from == null ? "UNKNOWN" : from.getClass().getName()) + "[…]";
    }

    /** Whether {@code mapper} writes {@code type} as a bean, whose field names are its properties'. */
    private static boolean writtenAsBean(ObjectMapper mapper, Class<?> type) {
        try {
            return mapper.getSerializerProviderInstance().findValueSerializer(type) instanceof BeanSerializerBase;
        } catch (JsonMappingException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Refuses JSON the mapper wrote but cannot read back: Jackson writes a number of any length (a BigInteger such as
     * an RSA-4096 modulus, 1233 digits) and a field name of any length, but reads at most
     * {@link StreamReadConstraints#getMaxNumberLength()} characters of a number and
     * {@link StreamReadConstraints#getMaxNameLength()} of a name, so the enqueue returned an id and every worker
     * dead-lettered the job unread. The envelope a job travels in is read with Jackson's default limits
     * ({@code EnvelopeCodec}, docs/wire-format.md), whatever the mapper's: a mapper that reads longer ones still
     * wrote a payload every worker dead-lettered unread on a provider that sends envelopes (SQS), so that is refused
     * too, on every provider alike. Read again only when the text could hold one (see {@link #mayBreak}).
     */
    private static void requireReadable(ObjectMapper mapper, String type, @Nullable Object payload, String json) {
        StreamReadConstraints limits = mapper.getFactory().streamReadConstraints();
        if (!mayBreak(json, limits)) {
            return;
        }
        String refused = refusal(mapper.getFactory(), json);
        if (refused != null) {
            throw new dev.jobq.JobRejectedException("payload of job type '" + Enqueuer.shownType(type) + "' ("
                    + (payload == null ? "null" : payload.getClass().getName()) + ") is written as JSON the queue's "
                    + "ObjectMapper cannot read back (" + refused + "), so every job of it would be dead-lettered "
                    + "unread; " + (refused.startsWith("Number")
                            ? "write a number that long as a string into a String field (Jackson refuses a BigInteger "
                            + "of more than " + limits.getMaxNumberLength() + " digits as text too)"
                            : "keep field names (map keys) shorter"));
        }
        boolean mapperReadsLonger = limits.getMaxNumberLength() > ENVELOPE_LIMITS.getMaxNumberLength()
                || limits.getMaxNameLength() > ENVELOPE_LIMITS.getMaxNameLength();
        refused = mapperReadsLonger ? refusal(ENVELOPE_READ, json) : null;
        if (refused != null) {
            throw new dev.jobq.JobRejectedException("payload of job type '" + Enqueuer.shownType(type) + "' ("
                    + (payload == null ? "null" : payload.getClass().getName()) + ") is written as JSON a job "
                    + "envelope cannot carry (" + refused + ", as jobq reads every envelope, whatever the queue's "
                    + "ObjectMapper reads), so every job of it would be dead-lettered unread; "
                    + (refused.startsWith("Number") ? "write a number that long as a string into a String field"
                            : "keep field names (map keys) shorter"));
        }
    }

    /** The limit {@code json} breaks as {@code factory} reads it ("Number value length (1233) exceeds ..."), or null. */
    private static @Nullable String refusal(JsonFactory factory, String json) {
        try (JsonParser parser = factory.createParser(json)) {
            while (parser.nextToken() != null) {
                // each number and field name is checked against the limits as it is read
            }
        } catch (StreamConstraintsException e) {
            return String.valueOf(e.getOriginalMessage()).replaceFirst(", from `[^`]*`", "");
        } catch (IOException e) {
            // Any other error in JSON the mapper wrote itself is the mapper's to report when a handler binds it.
        }
        return null;
    }

    /**
     * Whether {@code json} has a run of number characters longer than the number limit, or a run without a quote
     * longer than the name limit (the mapper's or the envelope's, whichever is lower): one scan, so that payloads that
     * cannot break them (nearly all) are not parsed again.
     */
    private static boolean mayBreak(String json, StreamReadConstraints limits) {
        int numberLimit = Math.min(limits.getMaxNumberLength(), ENVELOPE_LIMITS.getMaxNumberLength());
        int nameLimit = Math.min(limits.getMaxNameLength(), ENVELOPE_LIMITS.getMaxNameLength());
        int length = json.length();
        if (length <= Math.min(numberLimit, nameLimit)) {
            return false;
        }
        int number = 0;
        int sinceQuote = 0;
        for (int i = 0; i < length; i++) {
            char c = json.charAt(i);
            boolean numeric = (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
            number = numeric ? number + 1 : 0;
            sinceQuote = c == '"' ? 0 : sinceQuote + 1;
            if (number > numberLimit || sinceQuote > nameLimit) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code json} with every character that SQS refuses in a message body (and XML 1.0 in any text)
     * written as a JSON escape: a lone surrogate, U+FFFE and U+FFFF. Jackson writes them as they are, and
     * SQS then refused the whole send ({@code InvalidMessageContents}); in JSON text they can stand only
     * inside a string, where the escape reads back as the same character, so the handler gets exactly
     * the payload it was given. Any other text comes back as it is.
     */
    static String escapeUnsendable(String json) {
        StringBuilder escaped = null;
        int length = json.length();
        for (int i = 0; i < length; i++) {
            char c = json.charAt(i);
            if (c < Character.MIN_SURROGATE) {
                if (escaped != null) {
                    escaped.append(c);
                }
                continue;
            }
            boolean pair = Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(json.charAt(i + 1));
            boolean unsendable = !pair && (Character.isSurrogate(c) || c == '\uFFFE' || c == '\uFFFF');
            if (unsendable && escaped == null) {
                escaped = new StringBuilder(length + 16).append(json, 0, i);
            }
            if (unsendable) {
                escaped.append("\\u").append(Integer.toHexString(c));
            } else if (escaped != null) {
                escaped.append(c);
                if (pair) {
                    escaped.append(json.charAt(i + 1));
                }
            }
            if (pair) {
                i++;
            }
        }
        return escaped == null ? json : escaped.toString();
    }
}
