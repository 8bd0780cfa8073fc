package dev.jobq.internal.discovery;

import dev.jobq.ConfigException;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.QueueProviderFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The provider and scheduler factories visible to one class loader, by type name. Two factories
 * with one name, or a factory that fails to load, are configuration errors that name the classes.
 */
public final class ProviderCatalog {

    /** Which artifact brings which type, for "add this jar" messages. */
    private static final Map<String, String> KNOWN_ARTIFACTS = Map.of(
            "memory", "dev.jobq:provider-memory",
            "sqs", "dev.jobq:provider-sqs",
            "jdbc", "dev.jobq:scheduler-jdbc");

    private final Map<String, QueueProviderFactory> providers;
    private final Map<String, JobSchedulerFactory> schedulers;

    private ProviderCatalog(Map<String, QueueProviderFactory> providers, Map<String, JobSchedulerFactory> schedulers) {
        this.providers = providers;
        this.schedulers = schedulers;
    }

    public static ProviderCatalog load(ClassLoader classLoader) {
        return new ProviderCatalog(
                index(QueueProviderFactory.class, classLoader, QueueProviderFactory::type, "provider"),
                index(JobSchedulerFactory.class, classLoader, JobSchedulerFactory::type, "scheduler"));
    }

    public Optional<QueueProviderFactory> provider(String type) {
        return Optional.ofNullable(providers.get(type));
    }

    public Optional<JobSchedulerFactory> scheduler(String type) {
        return Optional.ofNullable(schedulers.get(type));
    }

    public List<String> providerTypes() {
        return List.copyOf(providers.keySet());
    }

    public List<String> schedulerTypes() {
        return List.copyOf(schedulers.keySet());
    }

    /** "unknown provider type 'sqs'; ... add dev.jobq:provider-sqs to the classpath" */
    public String unknownProvider(String type) {
        return unknown("provider", type, providers.keySet());
    }

    public String unknownScheduler(String type) {
        return unknown("scheduler", type, schedulers.keySet());
    }

    /**
     * A type is matched as written; one written in another case ({@code SQS}) is told the type it meant: it was told
     * "check the spelling" with {@code sqs} among the types it listed.
     */
    private static String unknown(String kind, String type, java.util.Set<String> available) {
        String have = available.isEmpty() ? "none is on the classpath" : "available: " + String.join(", ", available);
        String meant = Stream.concat(available.stream(), KNOWN_ARTIFACTS.keySet().stream().sorted())
                .filter(name -> !name.equals(type) && name.equalsIgnoreCase(type)).findFirst().orElse(null);
        String artifact = meant == null ? KNOWN_ARTIFACTS.get(type)
                : available.contains(meant) ? null : KNOWN_ARTIFACTS.get(meant);
        String add = "add " + artifact + " to the classpath (or its jar to the worker's --handlers directory)";
        if (meant != null) {
            return "unknown " + kind + " type '" + type + "'; did you mean " + meant + "? (" + have + "); "
                    + (artifact != null ? "write type: " + meant + " and " + add
                    : "type names are case-sensitive: write type: " + meant);
        }
        String fix = artifact != null ? add : "check the spelling, or add the jar that provides it";
        return "unknown " + kind + " type '" + type + "' (" + have + "); " + fix;
    }

    /**
     * The factories of {@code service} by name. One that fails to load is told as a handler module is
     * (HandlerModules): what its constructor threw, or the class it lacks, its jar and the fix; the loader's
     * own message said only that it "could not be instantiated".
     */
    private static <F> Map<String, F> index(Class<F> service, ClassLoader classLoader, Function<F, String> name,
                                            String kind) {
        Map<String, F> byName = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        var iterator = ServiceLoader.load(service, classLoader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<F> provider;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                provider = iterator.next();
            } catch (ServiceConfigurationError e) {
                problems.add(HandlerModules.failedToLoad(kind + " factory", "factory", service, e, null));
                continue;
            } catch (LinkageError e) {
                // ServiceLoader has moved past the class: the next hasNext() goes on with the others.
                problems.add(HandlerModules.failedToLink(kind + " factory", service, classLoader, e));
                if (problems.size() > HandlerModules.MAX_PROBLEMS) {
                    break;
                }
                continue;
            }
            F factory;
            try {
                factory = provider.get();
            } catch (ServiceConfigurationError e) {
                problems.add(HandlerModules.failedToLoad(kind + " factory", "factory", service, e, provider.type()));
                continue;
            }
            String type = name.apply(factory);
            if (type == null) {
                // The factory's bug, but a bare NullPointerException out of the catalog named neither it nor its jar.
                problems.add(kind + " factory " + factory.getClass().getName() + " names no type (its type() returned "
                        + "null), so no configuration can select it; make type() return the name the config file gives "
                        + "as 'type:', or remove its jar");
                continue;
            }
            F previous = byName.putIfAbsent(type, factory);
            if (previous != null) {
                // With the jars they came from: the fix is to remove one of them, and a --handlers directory has many.
                problems.add("two " + kind + " factories are named '" + type + "': "
                        + previous.getClass().getName() + HandlerModules.from(previous.getClass()) + " and "
                        + factory.getClass().getName() + HandlerModules.from(factory.getClass())
                        + "; remove one of their jars from the classpath");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("classpath", problems);
        }
        return Collections.unmodifiableMap(byName);
    }
}
