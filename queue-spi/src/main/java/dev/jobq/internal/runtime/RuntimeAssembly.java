package dev.jobq.internal.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.ConfigException;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.internal.config.ConfigLoader;
import dev.jobq.internal.config.JobQueueConfig;
import dev.jobq.internal.config.ProviderSection;
import dev.jobq.internal.config.SchedulerSection;
import dev.jobq.internal.config.WorkerSettings;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.internal.discovery.UnresolvedModules;
import dev.jobq.internal.worker.QueueBinding;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.spi.UntrustedText;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link RuntimeSpec} into a running-ready {@link JobQueueRuntime}: reads the file, lays the
 * builder's choices over it, checks every provider section before creating any provider, then
 * creates providers and the scheduler (closing what was created if a later step fails).
 */
final class RuntimeAssembly {

    private static final Logger log = LoggerFactory.getLogger(RuntimeAssembly.class);

    private RuntimeAssembly() {
    }

    /** The keys under the file's {@code worker:} that the builder sets, each named as in the file. */
    private static Set<String> workerKeysSetInCode(RuntimeSpec.WorkerOverrides worker) {
        Set<String> keys = new HashSet<>();
        if (worker.mode() != null) {
            keys.add("mode");
        }
        if (worker.queues() != null) {
            keys.add("queues");
        }
        if (worker.concurrency() != null) {
            keys.add("concurrency");
        }
        if (worker.pollInterval() != null) {
            keys.add("pollInterval");
        }
        if (worker.shutdownTimeout() != null) {
            keys.add("shutdownTimeout");
        }
        if (worker.backoff() != null) {
            keys.add("backoff");
        }
        return keys;
    }

    static JobQueueRuntime assemble(RuntimeSpec spec) {
        ProviderCatalog catalog = ProviderCatalog.load(spec.classLoader());
        JobQueueConfig fileConfig = spec.configFile() != null
                ? ConfigLoader.load(spec.configFile(), spec.environment(), catalog,
                        new ConfigLoader.SetInCode(spec.providers().keySet(), spec.scheduler() != null,
                                workerKeysSetInCode(spec.worker())))
                : new JobQueueConfig(Map.of(), WorkerSettings.defaults(), null);

        Map<String, ProviderSection> sections = new LinkedHashMap<>(fileConfig.providers());
        Map<String, QueueProvider> instances = new LinkedHashMap<>();
        Settings builderRoot = Settings.empty("");
        spec.providers().forEach((name, choice) -> {
            switch (choice) {
                case RuntimeSpec.ProviderChoice.Configured configured -> {
                    String path = JobOptions.DEFAULT_QUEUE.equals(name) ? "provider" : "queues." + name;
                    Settings settings = builderRoot.sibling(path, configured.settings());
                    sections.put(name, new ProviderSection(name, configured.type(), settings));
                    catalog.provider(configured.type()).ifPresentOrElse(
                            factory -> factory.validate(settings),
                            () -> settings.problem("type", catalog.unknownProvider(configured.type())));
                }
                case RuntimeSpec.ProviderChoice.Instance instance -> {
                    sections.remove(name);
                    instances.put(name, instance.provider());
                }
            }
        });
        builderRoot.throwIfInvalid();
        boolean noDefault = !sections.containsKey(JobOptions.DEFAULT_QUEUE)
                && !instances.containsKey(JobOptions.DEFAULT_QUEUE);
        if (noDefault && ((sections.isEmpty() && instances.isEmpty()) || catalog.provider("memory").isPresent())) {
            // As in the file, where an absent provider: section makes the default queue memory:
            // named queues set in code do not take the queue that enqueue uses by default away
            // (an application with only named queues and no memory provider keeps working without one).
            sections.put(JobOptions.DEFAULT_QUEUE, ProviderSection.implicitDefault("memory", Settings.empty("provider")));
        }
        warnIfOnlyTheDefaultQueueIsInMemory(sections);
        JobQueueConfig config = new JobQueueConfig(sections, overlay(fileConfig.worker(), spec.worker()),
                fileConfig.scheduler());
        requireConfigured(spec.worker().queues(), orderedNames(sections, instances));

        ObjectMapper mapper = spec.objectMapper() != null ? spec.objectMapper() : JobQueueRuntime.defaultMapper();
        var events = new EventBus(spec.listeners());
        Map<String, QueueBinding> queues = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        try {
            for (String name : orderedNames(sections, instances)) {
                QueueProvider provider;
                var counters = new QueueCounters();
                if (instances.containsKey(name)) {
                    provider = instances.get(name);
                    types.put(name, codeName(provider));
                } else {
                    ProviderSection section = sections.get(name);
                    QueueProviderFactory factory = catalog.provider(section.type())
                            .orElseThrow(() -> new ConfigException(catalog.unknownProvider(section.type())));
                    try {
                        provider = factory.create(new ProviderContext(name, section.settings(), spec.clock(),
                                event -> announceFromProvider(event, counters, events)));
                    } catch (NoClassDefFoundError missing) {
                        // escaped: a queue name may hold a bidirectional override, and jobq prints a config error as it is
                        throw missingClass("queue '" + UntrustedText.escape(name) + "'", "provider", section.type(),
                                factory, missing);
                    }
                    types.put(name, section.type());
                }
                queues.put(name, new QueueBinding(name, provider, counters));
            }
            SchedulerPlan scheduler = schedulerPlan(spec, config.scheduler(), catalog);
            return new JobQueueRuntime(config, queues, types, events, mapper, spec.clock(), scheduler::create,
                    scheduler.fires(), spec.configFile());
        } catch (RuntimeException | Error e) {
            // Those given in code are closed by JobQueueBuilder.build(), whichever step failed. An Error too (a
            // provider's classes failing to initialise, a class missing on the module path): it left those created
            // before it open, with their threads and connections, where the caller can no longer reach them.
            queues.values().stream().filter(q -> !instances.containsKey(q.name()))
                    .forEach(q -> closeAfterFailure(q.provider(), e));
            throw e;
        }
    }

    /**
     * The name messages give a provider built in code: its class's simple name, or for an anonymous class (a test's
     * {@code new ForwardingQueueProvider(memory) { ... }}) its binary name without the package, whose simple name is
     * empty and read "provider '' of queue 'default'".
     */
    private static String codeName(QueueProvider provider) {
        return LoggableThrowables.simpleName(provider.getClass());
    }

    /**
     * A provider or scheduler whose jar came without one it needs (provider-sqs without the AWS SDK, in --handlers): an
     * Error out of {@code create()} that named neither it nor its jar, and left the providers created before it open.
     * A deployment to fix, as a handler module that lacks a class is. On the module path the Error goes on as it is:
     * JobQueueBuilder names the module to add.
     */
    private static RuntimeException missingClass(String source, String kind, String type, Object factory,
                                                 NoClassDefFoundError missing) {
        if (UnresolvedModules.hint(missing).isPresent()) {
            throw missing;
        }
        Class<?> factoryClass = factory.getClass();
        CodeSource codeSource = factoryClass.getProtectionDomain().getCodeSource();
        String from = codeSource == null || codeSource.getLocation() == null ? ""
                : ", from " + location(codeSource.getLocation());
        String name = String.valueOf(missing.getMessage()).replace('/', '.');
        var problem = new ConfigException(source, List.of(kind + " '" + type + "' (" + factoryClass.getName() + from
                + ") cannot be created: " + missing + "; put the jar that holds " + name + " (and whatever else the "
                + kind + " needs) in --handlers or on the class path"));
        problem.initCause(missing);
        return problem;
    }

    /** {@code factory}'s create, a class it lacks reported as {@link #missingClass} does. */
    private static Function<SchedulerContext, JobScheduler> creating(JobSchedulerFactory factory) {
        return context -> {
            try {
                return factory.create(context);
            } catch (NoClassDefFoundError missing) {
                throw missingClass("scheduler", "scheduler", factory.type(), factory, missing);
            }
        };
    }

    private static String location(URL url) {
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            return url.toString();
        }
    }

    /**
     * Announces what a provider did to a job on its own (a message it dead-letters because it cannot be
     * read, or postpones for a newer worker), counted in its queue's {@code stats()} as the worker counts
     * the attempts it ends: else {@code failed} fell short of {@code jobq_jobs_total} of outcomes
     * {@code failed} and {@code dead}, which these events reach as they reach every listener.
     */
    private static void announceFromProvider(JobEvent event, QueueCounters counters, EventBus events) {
        if (event instanceof JobEvent.Failed) {
            counters.failed();
        } else if (event instanceof JobEvent.Dead) {
            counters.failed();
            counters.dead();
        }
        events.publish(event);
    }

    /**
     * Warns when nobody configured the "default" queue, so it is in memory, while named queues are on
     * other providers (SQS): a plain {@code enqueue(type, payload)} then waits in this process only,
     * unseen by {@code jobq run} workers, and is lost when the process ends.
     */
    private static void warnIfOnlyTheDefaultQueueIsInMemory(Map<String, ProviderSection> sections) {
        ProviderSection defaultQueue = sections.get(JobOptions.DEFAULT_QUEUE);
        if (defaultQueue == null || !defaultQueue.implicit()) {
            return; // configured, or a provider built in code
        }
        List<String> elsewhere = sections.values().stream()
                .filter(section -> !section.type().equals(defaultQueue.type()))
                // escaped: a queue name may hold a bidirectional override, which raw reverses the rest of the line
                .map(section -> "'" + UntrustedText.escape(section.queueName()) + "' (" + section.type() + ")")
                .toList();
        if (!elsewhere.isEmpty()) {
            log.warn("jobq: no 'provider:' section, so the \"default\" queue is in {}, while {} {} not: a job "
                    + "enqueued without EnqueueOptions.queue(...) waits in this process only and is lost when it ends; "
                    + "configure the default queue under 'provider:' (or JobQueue.builder().provider(...)), or write "
                    + "'provider: {type: {}}' to keep it in {} without this warning", defaultQueue.type(),
                    String.join(", ", elsewhere), elsewhere.size() == 1 ? "is" : "are", defaultQueue.type(),
                    defaultQueue.type());
        }
    }

    /**
     * How to create the scheduler once the enqueue path exists (it is the scheduler's sink). {@code nullCreated}: the
     * refusal of a factory that returned null, which built a queue without a scheduler, silently.
     */
    private record SchedulerPlan(@Nullable Function<SchedulerContext, JobScheduler> factory, Settings settings,
                                 InstantSource clock, boolean fires, String nullCreated) {

        @Nullable JobScheduler create(Enqueuer sink) {
            if (factory == null) {
                return null;
            }
            JobScheduler scheduler = factory.apply(new SchedulerContext(settings, clock, sink));
            if (scheduler == null) {
                throw new JobQueueException(nullCreated);
            }
            return scheduler;
        }
    }

    private static String nullFrom(JobSchedulerFactory factory) {
        return "scheduler '" + factory.type() + "' (" + factory.getClass().getName() + ") returned null from create(); "
                + "a defect of its jar: use a release of it that returns its JobScheduler";
    }

    private static SchedulerPlan schedulerPlan(RuntimeSpec spec, @Nullable SchedulerSection section,
                                               ProviderCatalog catalog) {
        InstantSource clock = spec.clock();
        switch (spec.scheduler()) {
            case RuntimeSpec.SchedulerChoice.Instance instance -> {
                return new SchedulerPlan(instance.factory(), Settings.empty("scheduler"), clock, true,
                        "the scheduler factory given to JobQueueBuilder.scheduler(...) returned null; return the "
                        + "JobScheduler it builds from the SchedulerContext, or leave scheduler(...) out for a queue "
                        + "without a scheduler");
            }
            case RuntimeSpec.SchedulerChoice.None none -> {
                return new SchedulerPlan(null, Settings.empty("scheduler"), clock, false, "");
            }
            case RuntimeSpec.SchedulerChoice.Configured configured -> {
                Settings settings = Settings.of("builder", "scheduler", configured.settings());
                settings.markKnown("type");
                boolean fires = settings.bool("enabled", true);
                JobSchedulerFactory factory = catalog.scheduler(configured.type())
                        .orElseThrow(() -> new ConfigException(catalog.unknownScheduler(configured.type())));
                factory.validate(settings);
                settings.throwIfInvalid();
                return new SchedulerPlan(creating(factory), settings, clock, fires, nullFrom(factory));
            }
            case null -> {
                if (section == null) {
                    return new SchedulerPlan(null, Settings.empty("scheduler"), clock, false, "");
                }
                JobSchedulerFactory factory = catalog.scheduler(section.type())
                        .orElseThrow(() -> new ConfigException(catalog.unknownScheduler(section.type())));
                return new SchedulerPlan(creating(factory), section.settings(), clock, section.enabled(),
                        nullFrom(factory));
            }
        }
    }

    /**
     * The builder's {@code workerQueues} each name a queue, checked when the queue is built as the
     * file's {@code worker.queues} is, not first when {@code start()} runs the worker.
     */
    private static void requireConfigured(@Nullable List<String> workerQueues, List<String> configured) {
        if (workerQueues == null) {
            return;
        }
        for (String queue : workerQueues) {
            if (!configured.contains(queue)) {
                throw new ConfigException("workerQueues: " + UntrustedText.singleQuote(queue, JobOptions.MAX_QUEUE_NAME)
                        + " is not a configured queue (configured: "
                        + UntrustedText.escape(String.join(", ", configured)) + "); add it with "
                        + "JobQueue.builder().queue(...) or under "
                        + "queues: in the file, or leave it out of workerQueues");
            }
        }
    }

    private static List<String> orderedNames(Map<String, ProviderSection> sections, Map<String, QueueProvider> instances) {
        var names = new java.util.LinkedHashSet<String>();
        if (sections.containsKey(JobOptions.DEFAULT_QUEUE) || instances.containsKey(JobOptions.DEFAULT_QUEUE)) {
            names.add(JobOptions.DEFAULT_QUEUE);
        }
        names.addAll(sections.keySet());
        names.addAll(instances.keySet());
        return List.copyOf(names);
    }

    private static WorkerSettings overlay(WorkerSettings file, RuntimeSpec.WorkerOverrides code) {
        return new WorkerSettings(
                code.mode() != null ? code.mode() : file.mode(),
                code.queues() != null ? code.queues() : file.queues(),
                code.concurrency() != null ? code.concurrency() : file.concurrency(),
                code.pollInterval() != null ? code.pollInterval() : file.pollInterval(),
                code.shutdownTimeout() != null ? code.shutdownTimeout() : file.shutdownTimeout(),
                code.backoff() != null ? code.backoff() : file.backoff());
    }

    /**
     * Closes a provider made from the config file after the build failed with {@code cause}, which keeps what close()
     * threw as a suppressed exception. An Error too (a NoClassDefFoundError of a class gone by now): it went out of
     * build() in place of the build's own error, past the providers after it, which were left open.
     */
    private static void closeAfterFailure(AutoCloseable closeable, Throwable cause) {
        try {
            closeable.close();
        } catch (Throwable e) {
            if (e != cause) {
                cause.addSuppressed(e);
            }
        }
    }
}
