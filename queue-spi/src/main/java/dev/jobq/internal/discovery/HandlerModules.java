package dev.jobq.internal.discovery;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jobq.ConfigException;
import dev.jobq.HandlerOptions;
import dev.jobq.JobHandler;
import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import dev.jobq.internal.worker.FailurePolicy;
import dev.jobq.internal.worker.RootCause;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.UntrustedText;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds {@link JobHandlerModule}s with {@link ServiceLoader} and registers them into a queue, one
 * INFO line per module naming the types it brought. A module class that cannot be loaded or two
 * modules registering one type are configuration errors naming the classes; an exception thrown by
 * a module's own code, or a class it needs that is missing or fails to load, fails the build with that
 * module's name.
 */
public final class HandlerModules {

    private static final Logger log = LoggerFactory.getLogger(HandlerModules.class);
    /** Problems told at most: a loader that failed on one class again and again would not end the loop otherwise. */
    static final int MAX_PROBLEMS = 100;

    private HandlerModules() {
    }

    /** The modules named in {@code META-INF/services/dev.jobq.JobHandlerModule} files visible to {@code classLoader}. */
    public static List<JobHandlerModule> find(ClassLoader classLoader) {
        List<JobHandlerModule> modules = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        var iterator = ServiceLoader.load(JobHandlerModule.class, classLoader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<JobHandlerModule> provider;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                provider = iterator.next();
            } catch (ServiceConfigurationError e) {
                problems.add(failedToLoad("handler module", "module", JobHandlerModule.class, e, null));
                continue;
            } catch (LinkageError e) {
                // ServiceLoader has moved past the class: the next hasNext() goes on with the others.
                problems.add(failedToLink("handler module", JobHandlerModule.class, classLoader, e));
                if (problems.size() > MAX_PROBLEMS) {
                    break;
                }
                continue;
            }
            try {
                modules.add(provider.get());
            } catch (ServiceConfigurationError e) {
                problems.add(failedToLoad("handler module", "module", JobHandlerModule.class, e, provider.type()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("handler modules", problems);
        }
        return modules;
    }

    /**
     * The loader's message, then what went wrong underneath it (a constructor's exception, a class
     * its jar lacks) and the jar the class came from, when it was found; {@code kind} names what the
     * {@code service} file lists ("handler module"), {@code noun} one of them ("module").
     */
    static String failedToLoad(String kind, String noun, Class<?> service, ServiceConfigurationError e,
                               @Nullable Class<?> loadedClass) {
        // ServiceLoader's message repeats the class name the service file gives, which may hold an ESC or a U+202E
        // (both pass as parts of a Java name): escaped, as the path of the jar below
        var text = new StringBuilder(kind).append(" failed to load: ")
                .append(LoggableThrowables.oneLine(String.valueOf(e.getMessage())));
        // Read to where a chain loops back, to where a getCause() throws (what it threw went out of find() as it was,
        // naming no module) and to a bound (a getCause() that made a new cause at each call ran the heap out).
        RootCause rootCause = e.getCause() == null ? null : RootCause.of(e.getCause());
        Throwable root = rootCause == null ? null : rootCause.root();
        if (rootCause != null) {
            // A module's exception: what its getMessage() threw went out of find() as it was, naming no module.
            text.append(": ").append(rootCause.text("this error"));
        }
        CodeSource source = loadedClass == null ? null : loadedClass.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            text.append(" (from ").append(UntrustedText.escape(location(source))).append(')');
        }
        if (root instanceof NoSuchMethodException) {
            text.append("; make the class public, with a public constructor without parameters: ServiceLoader creates "
                    + noun + "s with it");
        } else if (root == null && String.valueOf(e.getMessage()).endsWith(" not a subtype")) {
            text.append("; make it implement ").append(service.getName()).append(" (jobq's own, not a copy in the ")
                    .append(noun).append("'s jar), or take its name out of META-INF/services/")
                    .append(service.getName());
        } else if (root == null || root instanceof LinkageError || root instanceof ClassNotFoundException) {
            text.append("; check that its jar and the jars it needs are on the class path or in --handlers");
        } else {
            text.append("; the ").append(noun).append(" threw this while it was created: fix what it says, or remove "
                    + "its jar");
        }
        return text.toString();
    }

    /**
     * A {@link LinkageError} out of ServiceLoader's iteration itself: a class named in a service file whose base class
     * or interface its jar lacks fails as it is loaded, and ServiceLoader passes that on unwrapped, naming neither the
     * class nor where it is listed. Each class the {@code service}'s files list is loaded again to find which one.
     */
    static String failedToLink(String kind, Class<?> service, ClassLoader loader, LinkageError e) {
        String file = "META-INF/services/" + service.getName();
        String named = "a class named in " + file;
        try {
            search:
            for (URL url : Collections.list(loader.getResources(file))) {
                for (String line : lines(url)) {
                    String className = line.replaceFirst("#.*", "").strip();
                    if (className.isEmpty()) {
                        continue;
                    }
                    try {
                        Class.forName(className, false, loader);
                    } catch (LinkageError again) {
                        if (String.valueOf(again.getMessage()).equals(String.valueOf(e.getMessage()))) {
                            named = className + ", named in " + location(url);
                            break search;
                        }
                    } catch (ClassNotFoundException notThere) {
                        // reported by ServiceLoader itself, as "not found"
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // the error is told all the same, without the class's name
        }
        // the class's name and the path are a jar's, the error's message the JVM's words for what that jar holds:
        // escaped, or a line break in them began a line of the config error that read as jobq's own
        return kind + " failed to load: " + UntrustedText.escape(named) + ", cannot be linked: "
                + LoggableThrowables.oneLine(e.toString()) + "; check that its jar and the jars it needs are on the "
                + "class path or in --handlers";
    }

    private static List<String> lines(URL url) throws IOException {
        try (var in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static String location(URL url) {
        try {
            return "file".equals(url.getProtocol()) ? Path.of(url.toURI()).toString() : url.toString();
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            return url.toString();
        }
    }

    private static String location(CodeSource source) {
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            return source.getLocation().toString();
        }
    }

    /**
     * The explicit modules, then the found ones whose class is not among them: a module given both
     * ways registers once.
     */
    public static List<JobHandlerModule> merge(List<JobHandlerModule> explicit, List<JobHandlerModule> found) {
        Set<Class<?>> seen = new HashSet<>();
        var merged = new LinkedHashSet<JobHandlerModule>();
        for (JobHandlerModule module : explicit) {
            seen.add(module.getClass());
            merged.add(module);
        }
        for (JobHandlerModule module : found) {
            if (seen.add(module.getClass())) {
                merged.add(module);
            }
        }
        return List.copyOf(merged);
    }

    /**
     * Calls each module's {@link JobHandlerModule#register} on {@code registry}, in order.
     *
     * @throws ConfigException naming the module when it throws, whatever it throws but a {@link VirtualMachineError}
     *                         (which goes on as it is): the registry's refusal (a type another module registered),
     *                         or the module's own failure (a setting it lacks, a class its jar lacks, an
     *                         AssertionError), with the jar it came from and the fix, as for a module whose
     *                         constructor throws
     */
    public static void registerAll(JobHandlerRegistry registry, List<JobHandlerModule> modules) {
        Map<String, JobHandlerModule> moduleOfType = new HashMap<>();
        for (JobHandlerModule module : modules) {
            String name = module.getClass().getName();
            Set<String> before = registry.registeredTypes();
            Set<Throwable> refusals = Collections.newSetFromMap(new IdentityHashMap<>());
            try {
                module.register(new ModuleRegistry(registry, module, name, moduleOfType, refusals));
            } catch (LinkageError e) {
                // A class its handlers need is missing (a jar left out of --handlers) or failed to initialise.
                Throwable cause = FailurePolicy.causeOf(e);
                Throwable root = cause != null ? cause : e;
                throw registerFailed(name, " failed while registering its handlers: "
                        + FailurePolicy.fullNameAndMessage(e)
                        + (root != e ? " (caused by " + FailurePolicy.fullNameAndMessage(root) + ")" : "")
                        + from(module) + "; check that its jar and the jars it needs are on the class path or in "
                        + "--handlers, and what its classes do when they are loaded", e);
            } catch (VirtualMachineError e) {
                throw e; // the JVM's (out of memory), as a handler's goes on to its thread's uncaught-exception handler
            } catch (Throwable e) {
                // The module's exception, or an Error of its own (an AssertionError) or a checked exception thrown
                // sneakily, which went out of registerAll() as they were, naming no module: what its getMessage()
                // threw went out as it was, and a line break in its message went into the error as it was.
                throw registerFailed(name, refusals.contains(e) ? ": " + e.getMessage()
                        : " failed while registering its handlers: " + FailurePolicy.fullNameAndMessage(e)
                        + from(module) + "; fix what it says, or remove its jar", e);
            }
            Set<String> added = new TreeSet<>(registry.registeredTypes());
            added.removeAll(before);
            if (added.isEmpty()) {
                log.warn("handler module {} registered no job types", name);
            } else {
                log.info("handler module {} registered {}", name, String.join(", ", added));
            }
        }
    }

    private static ConfigException registerFailed(String module, String problem, Throwable cause) {
        var failure = new ConfigException("handler modules", List.of("handler module " + module + problem));
        // the module's exception as the log can take it: one whose getMessage() throws, as it was, threw out of
        // printStackTrace() and out of a logger's line about the failure
        failure.initCause(FailurePolicy.loggable(cause));
        return failure;
    }

    /** " (from JAR)" for a module whose class came from a file, else nothing. */
    private static String from(JobHandlerModule module) {
        return from(module.getClass());
    }

    /** " (from JAR)" for a class that came from a file, else nothing. */
    static String from(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source != null && source.getLocation() != null ? " (from " + location(source) + ")" : "";
    }

    /**
     * What one module registers through: a type another module registered first is refused with that
     * module's name, where the registry alone names only the class of the handler already there,
     * often a lambda's ({@code Billing$$Lambda/0x…}) or a class that names no module.
     */
    private record ModuleRegistry(JobHandlerRegistry registry, JobHandlerModule instance, String module,
                                  Map<String, JobHandlerModule> moduleOfType, Set<Throwable> refusals)
            implements JobHandlerRegistry {

        @Override
        public <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler) {
            register(type, () -> registry.registerJobHandler(type, payloadType, handler));
        }

        @Override
        public <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler) {
            register(type, () -> registry.registerJobHandler(type, payloadType, handler));
        }

        @Override
        public <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler,
                                           HandlerOptions options) {
            register(type, () -> registry.registerJobHandler(type, payloadType, handler, options));
        }

        @Override
        public <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler,
                                           HandlerOptions options) {
            register(type, () -> registry.registerJobHandler(type, payloadType, handler, options));
        }

        @Override
        public Set<String> registeredTypes() {
            return registry.registeredTypes();
        }

        /** Registers, remembering what the registry (or {@link #claim}) refused it with, as that refusal's own. */
        private void register(String type, Runnable registration) {
            try {
                claim(type);
                registration.run();
            } catch (RuntimeException refused) {
                refusals.add(refused);
                throw refused;
            }
        }

        /**
         * Refuses a type an earlier module registered, naming it; a type this module registers twice is left to the
         * registry's own refusal. Two instances of one class may register different types (one module configured
         * per region), so a class given twice is told so only where both register one type.
         */
        private void claim(String type) {
            JobHandlerModule first = moduleOfType.putIfAbsent(type, instance);
            if (first == null || first == instance) {
                return;
            }
            String firstName = first.getClass().getName();
            throw new IllegalStateException("a handler for job type '" + type + "' is already registered, by "
                    + (firstName.equals(module) ? "another instance of the same class; give each handler module "
                    + "once, or have each instance register its own job types"
                    : "handler module " + firstName + "; register each job type in one module"));
        }
    }
}
