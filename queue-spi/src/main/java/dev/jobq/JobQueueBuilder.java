package dev.jobq;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.internal.config.Limits;
import dev.jobq.internal.discovery.HandlerModules;
import dev.jobq.internal.discovery.UnresolvedModules;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.internal.runtime.RuntimeSpec;
import dev.jobq.internal.worker.FailurePolicy;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.UntrustedText;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link JobQueue}; not thread-safe. Each setter checks its own value at once; what needs the
 * whole configuration (the file, provider types, queue names) is checked by {@link #build()}. Start from a
 * config file ({@link #config(Path)}), from code, or both:
 * what is set in code wins over the file (a worker setting by itself; a queue whole, see
 * {@link #queue(String, String, Map)}). Unless one of them sets the default queue's provider (the
 * file's {@code provider:}, or {@link #provider}), the default queue is the memory provider, also
 * beside named queues (when the memory provider is on the class path).
 *
 * <pre>{@code
 * JobQueue jobs = JobQueue.builder()
 *         .provider("memory")
 *         .queue("reports", "memory", Map.of("maxHistorySize", 100))
 *         .concurrency(10)
 *         .build();
 * }</pre>
 */
public final class JobQueueBuilder {

    private static final Logger log = LoggerFactory.getLogger(JobQueueBuilder.class);

    private @Nullable Path configFile;
    private Map<String, String> environment = System.getenv();
    private final Map<String, RuntimeSpec.ProviderChoice> providers = new LinkedHashMap<>();
    /** Every provider given in code, also one replaced since for its queue: build() closes those no queue uses. */
    private final Set<QueueProvider> givenProviders = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Whether a build() took over providers given in code: the queue it built holds them, or it closed them. */
    private boolean providersHandedOver;
    private @Nullable WorkerMode mode;
    private @Nullable List<String> workerQueues;
    private @Nullable Integer concurrency;
    private @Nullable Duration pollInterval;
    private @Nullable Duration shutdownTimeout;
    private @Nullable Backoff backoff;
    private RuntimeSpec.@Nullable SchedulerChoice scheduler;
    private InstantSource clock = Clock.systemUTC();
    private @Nullable ObjectMapper objectMapper;
    private ClassLoader classLoader = Thread.currentThread().getContextClassLoader() != null
            ? Thread.currentThread().getContextClassLoader() : JobQueueBuilder.class.getClassLoader();
    private final List<JobListener> listeners = new ArrayList<>();
    private final List<JobHandlerModule> handlerModules = new ArrayList<>();
    private boolean findHandlerModules;

    JobQueueBuilder() {
    }

    /** Reads this config file (DESIGN §8); settings made in code override it. */
    public JobQueueBuilder config(Path file) {
        this.configFile = Objects.requireNonNull(file, "file");
        return this;
    }

    /**
     * The environment for {@code ${VAR}} substitution and overrides; the process environment by default.
     *
     * @throws NullPointerException if the map, or a value in it, is null (naming the variable)
     */
    public JobQueueBuilder environment(Map<String, String> environment) {
        Objects.requireNonNull(environment,
                "environment must not be null; pass Map.of() for none, or leave it unset for System.getenv()");
        environment.forEach((name, value) -> Objects.requireNonNull(value, () -> "environment variable '" + name
                + "' is null; leave it out of the map when it is unset"));
        this.environment = Map.copyOf(environment);
        return this;
    }

    /**
     * The default queue's provider by type name with its defaults ("memory"), in place of the file's
     * {@code provider:} section. An unknown type is refused by {@link #build()}, which lists the types on
     * the class path.
     */
    public JobQueueBuilder provider(String type) {
        return queue(JobOptions.DEFAULT_QUEUE, type, Map.of());
    }

    /**
     * The default queue's provider by type name with settings as in the config file's {@code provider:}
     * section; it replaces that section whole (none of the file's settings for the default queue is kept).
     */
    public JobQueueBuilder provider(String type, Map<String, ?> settings) {
        return queue(JobOptions.DEFAULT_QUEUE, type, settings);
    }

    /**
     * The default queue's provider, built in code, in place of the file's {@code provider:} section; the queue closes
     * it (and {@link #build()} does, if another provider replaces it for the default queue).
     */
    public JobQueueBuilder provider(QueueProvider provider) {
        return queue(JobOptions.DEFAULT_QUEUE, provider);
    }

    /**
     * A named queue by provider type with settings as in the config file. It replaces the file's section
     * of that name whole: the queue gets this type and these settings, with the provider's defaults for the
     * rest, and none of the file's settings for it. The settings themselves are checked by {@link #build()},
     * with the file's.
     *
     * @throws IllegalArgumentException if {@code name} or {@code type} is blank, or {@code name} is longer than
     *                                  {@value JobOptions#MAX_QUEUE_NAME} characters or has a control character
     * @throws NullPointerException     if {@code type} or {@code settings}, or a value in them, is null
     */
    public JobQueueBuilder queue(String name, String type, Map<String, ?> settings) {
        String queue = requireName(name);
        String providerType = requireType("provider type" + (JobOptions.DEFAULT_QUEUE.equals(queue) ? ""
                : " of queue '" + UntrustedText.escape(queue) + "'"), type, "\"memory\" or \"sqs\"");
        var copy = copySettings("settings of queue '" + UntrustedText.escape(queue) + "'", settings,
                "the provider's defaults");
        providers.put(queue, new RuntimeSpec.ProviderChoice.Configured(providerType, copy));
        return this;
    }

    /**
     * A named queue with a provider built in code, in place of the file's section of that name; the queue
     * closes it. Given to the builder, it is the builder's: replaced for this queue by another provider and
     * given to no other queue, {@link #build()} closes it. One instance serves one queue: given for two,
     * {@link #build()} refuses it.
     *
     * @throws IllegalArgumentException if {@code name} is blank, longer than {@value JobOptions#MAX_QUEUE_NAME}
     *                                  characters or has a control character
     */
    public JobQueueBuilder queue(String name, QueueProvider provider) {
        String queue = requireName(name);
        Objects.requireNonNull(provider,
                () -> "provider of queue '" + UntrustedText.escape(queue) + "' must not be null");
        providers.put(queue, new RuntimeSpec.ProviderChoice.Instance(provider));
        givenProviders.add(provider);
        return this;
    }

    /** Whether {@link JobQueue#start()} runs a worker in this process ({@link WorkerMode#IN_PROCESS} by default). */
    public JobQueueBuilder mode(WorkerMode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * The queues this process's worker consumes, served in this order; all named queues by default.
     * Each must be a configured queue: {@link #build()} refuses one that is not, as the file's
     * {@code worker.queues}.
     *
     * @throws IllegalArgumentException if no queue is given (leave this out for every queue), a name is null
     *         or blank, or a queue is listed twice
     */
    public JobQueueBuilder workerQueues(String... queues) {
        Objects.requireNonNull(queues, "workerQueues must not be null; list the queues this worker consumes");
        if (queues.length == 0) {
            throw new IllegalArgumentException("workerQueues: no queue given; list the queues this worker consumes, "
                    + "or leave workerQueues out to consume every configured queue");
        }
        for (int i = 0; i < queues.length; i++) {
            if (queues[i] == null || queues[i].isBlank()) {
                throw new IllegalArgumentException("workerQueues: the name at index " + i + " is "
                        + (queues[i] == null ? "null" : "blank") + "; list configured queue names");
            }
        }
        this.workerQueues = Limits.requireDistinctQueues(List.of(queues));
        return this;
    }

    /**
     * Handlers running at once (default {@value dev.jobq.internal.config.WorkerSettings#DEFAULT_CONCURRENCY}), 1 to
     * {@value dev.jobq.internal.config.Limits#MAX_CONCURRENCY}.
     */
    public JobQueueBuilder concurrency(int concurrency) {
        this.concurrency = Limits.requireConcurrency(concurrency);
        return this;
    }

    /**
     * The longest a receive waits before the worker looks again.
     *
     * @throws IllegalArgumentException below 1 ms (an idle worker would poll in a hot loop) or above 1 h
     */
    public JobQueueBuilder pollInterval(Duration pollInterval) {
        this.pollInterval = Limits.requirePollInterval(Objects.requireNonNull(pollInterval, "pollInterval"));
        return this;
    }

    /**
     * How long {@code close()} lets running handlers finish before it interrupts them and releases
     * their jobs.
     *
     * @throws IllegalArgumentException if negative, or above 1 day
     */
    public JobQueueBuilder shutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = Limits.requireShutdownTimeout(Objects.requireNonNull(shutdownTimeout,
                "shutdownTimeout"));
        return this;
    }

    /**
     * The default retry backoff, in place of the config file's {@code worker.backoff} ({@link Backoff#defaultBackoff()}
     * unless either is set): for the job types without one of their own, and for one retry of a type whose own backoff
     * throws or returns null.
     */
    public JobQueueBuilder backoff(Backoff backoff) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        return this;
    }

    /**
     * A scheduler by type name ("jdbc") with settings as in the config file's {@code scheduler:} section,
     * except that it fires due jobs unless they say {@code enabled: false} (the file's default is
     * {@code false}: a scheduler set in code is one this process runs; docs/scheduler.md); an unknown type or a
     * bad setting is refused by {@link #build()}, with the file's problems.
     *
     * @throws IllegalArgumentException if {@code type} is blank
     * @throws NullPointerException     if {@code type} or {@code settings}, or a value in them, is null
     */
    public JobQueueBuilder scheduler(String type, Map<String, ?> settings) {
        String schedulerType = requireType("scheduler type", type, "\"jdbc\"");
        var copy = copySettings("settings of scheduler '" + schedulerType + "'", settings, "its defaults");
        this.scheduler = new RuntimeSpec.SchedulerChoice.Configured(schedulerType, copy);
        return this;
    }

    /**
     * A scheduler built in code from the context the queue gives it (its clock and job sink); {@link #build()}
     * calls the factory, and fails with {@link JobQueueException} if it returns null.
     */
    public JobQueueBuilder scheduler(Function<SchedulerContext, JobScheduler> factory) {
        this.scheduler = new RuntimeSpec.SchedulerChoice.Instance(Objects.requireNonNull(factory,
                "scheduler factory must not be null; leave scheduler(...) out for a queue without a scheduler"));
        return this;
    }

    /**
     * No scheduler, whatever the config file's {@code scheduler:} section says: its store is not opened,
     * and a delay beyond the provider's limit or a job at an instant is refused. For tools that only read
     * a queue's counts or dead letters, which then work while the store is out of their reach (an H2
     * file a running worker holds).
     */
    public JobQueueBuilder withoutScheduler() {
        this.scheduler = new RuntimeSpec.SchedulerChoice.None();
        return this;
    }

    /** The clock for delays, leases and timestamps; tests pass a settable one. */
    public JobQueueBuilder clock(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The ObjectMapper for payloads; one with the JSR-310 module by default. Handlers run on a new
     * virtual thread each, so build its {@code JsonFactory} with a shared buffer pool
     * ({@code JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool())}): Jackson's
     * default thread-local pool allocates new buffers for every job on virtual threads.
     */
    public JobQueueBuilder objectMapper(ObjectMapper objectMapper) {
        this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
        return this;
    }

    /**
     * Registers these modules' handlers into the queue when it is built, in this order (after
     * nothing else: handlers registered on the built queue come later).
     */
    public JobQueueBuilder handlerModules(JobHandlerModule... modules) {
        Objects.requireNonNull(modules, "modules must not be null");
        for (int i = 0; i < modules.length; i++) {
            int index = i;
            Objects.requireNonNull(modules[i], () -> "module at index " + index + " must not be null");
        }
        handlerModules.addAll(List.of(modules));
        return this;
    }

    /**
     * Also registers every {@link JobHandlerModule} named in a
     * {@code META-INF/services/dev.jobq.JobHandlerModule} file visible to {@link #classLoader}, as
     * {@code jobq run} does. Off unless called, like Jackson's {@code findAndRegisterModules()}: a
     * jar on the class path never adds handlers to a queue that did not ask for them. A module also
     * given to {@link #handlerModules} registers once.
     */
    public JobQueueBuilder findHandlerModules() {
        this.findHandlerModules = true;
        return this;
    }

    /** Where providers, schedulers and (with {@link #findHandlerModules()}) handler modules are looked up with ServiceLoader. */
    public JobQueueBuilder classLoader(ClassLoader classLoader) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        return this;
    }

    /** A listener of the queue's events from its first one on; as {@link JobQueue#addListener}, in this order. */
    public JobQueueBuilder listener(JobListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Builds the queue: reads the file, finds and creates the providers (and scheduler), registers
     * the handler modules, and checks everything; nothing runs until {@link JobQueue#start()}.
     *
     * <p>Whatever it throws, it closes the providers given in code ({@link #provider(QueueProvider)},
     * {@link #queue(String, QueueProvider)}), as the queue would have closed them. Built, it closes those given in
     * code that another provider replaced for their queue, which the queue does not hold.
     *
     * @throws ConfigException   with every problem and its key path, or naming a handler module that
     *                           cannot be loaded, registers a type already registered, or throws in
     *                           {@code register()}
     * @throws JobQueueException when a provider or the scheduler cannot be created, naming what to fix (a
     *                           database that cannot be reached); what was created is closed again
     * @throws IllegalStateException when this builder, given providers in code, was built before (whether that
     *                           succeeded or failed): those providers are the first queue's, or closed, and two
     *                           queues closing one provider would close it under each other; use a builder for
     *                           each queue, each with its own provider instances
     */
    public JobQueue build() {
        if (providersHandedOver) {
            throw new IllegalStateException("build() was called on this JobQueueBuilder already, and the providers "
                    + "given to it in code are the queue's it built (closed when that queue closes), or were closed when "
                    + "that build() failed; use a JobQueueBuilder for each queue, each given its own provider instances");
        }
        providersHandedOver = !givenProviders.isEmpty();
        var overrides = new RuntimeSpec.WorkerOverrides(mode, workerQueues, concurrency, pollInterval,
                shutdownTimeout, backoff);
        List<JobHandlerModule> modules;
        JobQueue queue;
        try {
            requireOneQueuePerProvider();
            modules = HandlerModules.merge(handlerModules,
                    findHandlerModules ? HandlerModules.find(classLoader) : List.of());
            queue = JobQueueRuntime.create(new RuntimeSpec(configFile, environment, providers, overrides,
                    scheduler, clock, objectMapper, classLoader, listeners));
        } catch (NoClassDefFoundError e) {
            closeGivenProviders(e);
            throw UnresolvedModules.hint(e).<RuntimeException>map(hint -> new JobQueueException(
                    "building the queue failed: " + e + "; " + hint, e)).orElseThrow(() -> e);
        } catch (RuntimeException | Error e) {
            // Handed to the queue to close; a problem found before they were bound to it (the file, a type,
            // workerQueues, a handler module) left them open, with their threads and connections.
            closeGivenProviders(e);
            throw e;
        }
        try {
            closeReplacedProviders();
            HandlerModules.registerAll(queue, modules);
        } catch (RuntimeException | Error e) {
            queue.close();
            throw e;
        }
        return queue;
    }

    /**
     * A provider instance serves one named queue (DESIGN §3): given for two, each queue would receive the other's
     * jobs, run them under its own name and count them in its stats, as two names on one SQS queue would.
     */
    private void requireOneQueuePerProvider() {
        Map<QueueProvider, String> firstQueue = new IdentityHashMap<>();
        providers.forEach((name, choice) -> {
            if (choice instanceof RuntimeSpec.ProviderChoice.Instance instance) {
                String other = firstQueue.putIfAbsent(instance.provider(), name);
                if (other != null) {
                    throw new ConfigException("queue '" + UntrustedText.escape(name) + "' was given the provider "
                            + "instance already given for queue '" + UntrustedText.escape(other) + "'; a provider "
                            + "serves one queue, and each would receive the other's jobs: create a provider for each "
                            + "queue");
                }
            }
        });
    }

    /**
     * Closes the providers given in code, after a build that failed with {@code cause}, which keeps what each close()
     * threw as a suppressed exception. An Error too (a NoClassDefFoundError of a class gone by now): it went out of
     * build() in place of the build's own error, past the providers after it, which were left open.
     */
    private void closeGivenProviders(Throwable cause) {
        for (QueueProvider provider : givenProviders) {
            try {
                provider.close();
            } catch (RuntimeException | Error e) {
                if (e != cause) {
                    cause.addSuppressed(e);
                }
            }
        }
    }

    /**
     * Closes the providers given in code that another provider has replaced for their queue since: handed over to
     * the builder, they held threads and connections that nobody closed.
     */
    private void closeReplacedProviders() {
        Set<QueueProvider> used = Collections.newSetFromMap(new IdentityHashMap<>());
        providers.values().forEach(choice -> {
            if (choice instanceof RuntimeSpec.ProviderChoice.Instance instance) {
                used.add(instance.provider());
            }
        });
        VirtualMachineError fatal = null;
        for (QueueProvider provider : givenProviders) {
            if (!used.contains(provider)) {
                try {
                    provider.close();
                } catch (RuntimeException | Error e) {
                    // An Error too (a NoClassDefFoundError of a class gone by now): it went out of build(), past the
                    // queue it had built, which was left open. The JVM's own failures go on once every replaced
                    // provider is closed (build() then closes the queue): thrown at once, they left the replaced
                    // providers after it open, and were not logged.
                    if (fatal == null && e instanceof VirtualMachineError own && !(e instanceof StackOverflowError)) {
                        fatal = own;
                    }
                    // loggable: an exception whose getMessage() throws threw out of this line and out of build(),
                    // past the queue it had built, which was left open; one whose getMessage() ran out of memory,
                    // which loggable hands on, did so still, and is named by its class
                    Throwable logged;
                    try {
                        logged = LoggableThrowables.loggable(e);
                    } catch (VirtualMachineError unreadable) {
                        log.warn("closing a provider given to JobQueueBuilder and replaced since ({}) failed: {}",
                                provider.getClass().getName(), FailurePolicy.unreadableName(e, unreadable));
                        continue;
                    }
                    log.warn("closing a provider given to JobQueueBuilder and replaced since ({}) failed",
                            provider.getClass().getName(), logged);
                }
            }
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    private static String requireType(String what, @Nullable String type, String examples) {
        Objects.requireNonNull(type, () -> what + " must not be null; name one such as " + examples);
        if (type.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank; name one such as " + examples);
        }
        return type;
    }

    private static Map<String, ?> copySettings(String what, @Nullable Map<String, ?> settings, String defaults) {
        Objects.requireNonNull(settings, () -> what + " must not be null; pass Map.of() for " + defaults);
        settings.forEach((key, value) -> Objects.requireNonNull(value, () -> what + ": '" + key
                + "' is null; leave the key out for its default"));
        return Map.copyOf(settings);
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            // which it was, a blank one quoted with its control characters escaped, as a job type's refusal says it
            throw new IllegalArgumentException("queue name must not be " + (name == null ? "null"
                    : "blank, got " + UntrustedText.quote(name, 60)) + "; name the queue, such as \"reports\"");
        }
        if (name.length() > JobOptions.MAX_QUEUE_NAME) {
            throw new IllegalArgumentException("queue name may have at most " + JobOptions.MAX_QUEUE_NAME
                    + " characters (what the scheduler holds), got " + name.length() + ": '"
                    + UntrustedText.escape(name, 60) + "'; choose a shorter name");
        }
        if (Limits.hasControlCharacter(name)) {
            // within the 255 characters, so shown whole
            throw new IllegalArgumentException("queue name " + UntrustedText.singleQuote(name, JobOptions.MAX_QUEUE_NAME)
                    + " has a control character (shown escaped); " + Limits.QUEUE_NAME_CONTROL_FIX);
        }
        return name;
    }
}
