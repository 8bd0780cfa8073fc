package dev.jobq.cli.context;

import dev.jobq.JobHandlerModule;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.UntrustedText;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.InvalidModuleDescriptorException;
import java.lang.module.ModuleDescriptor;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jars of a {@code --handlers} directory (its {@code *.jar} files, not its subdirectories) in one
 * class loader over the {@code jobq} jar's own. ServiceLoader looks through it for handler modules,
 * providers and schedulers; classes the {@code jobq} jar already has (jobq itself, Jackson, SLF4J)
 * come from the {@code jobq} jar, so a handler jar needs only its own code and what jobq lacks.
 */
final class HandlerJars implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HandlerJars.class);
    private static final String SERVICES = "META-INF/services/";
    /** The services jobq looks up in these jars. */
    private static final Set<String> JOBQ_SERVICES = Set.of(JobHandlerModule.class.getName(),
            QueueProviderFactory.class.getName(), JobSchedulerFactory.class.getName());

    private final List<Path> jars;
    private final URLClassLoader loader;

    private HandlerJars(List<Path> jars, URLClassLoader loader) {
        this.jars = jars;
        this.loader = loader;
    }

    /**
     * @throws CommandFailure (usage) when {@code directory} is missing, is not a directory, cannot be listed,
     *                        holds no jar, or holds a {@code .jar} file that cannot be read as one
     */
    static HandlerJars open(Path directory, ClassLoader parent) {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.exists(dir) && Files.isSymbolicLink(dir)) {
            // "no such directory" named a link the user sees in ls: where it points (moved away, or a loop) is missing
            String target;
            try {
                target = Files.readSymbolicLink(dir).toString();
            } catch (IOException e) {
                target = "?";
            }
            throw CommandFailure.usage("--handlers " + dir + ": is a link to " + target + ", which leads nowhere (it "
                    + "is missing, or links loop); point the link at the directory that holds your handler jars, or "
                    + "give that directory");
        }
        if (!Files.exists(dir)) {
            throw CommandFailure.usage("--handlers " + dir + ": no such directory; give the directory that "
                    + "holds your handler jars");
        }
        if (!Files.isDirectory(dir)) {
            throw CommandFailure.usage("--handlers " + dir + ": is a file, not a directory; put the jar in a "
                    + "directory and give that directory");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                    .sorted().toList();
        } catch (IOException e) {
            throw CommandFailure.usage("--handlers " + dir + ": cannot list its files (" + e + "); give jobq's "
                    + "user read access to the directory");
        }
        if (jars.isEmpty()) {
            throw CommandFailure.usage("--handlers " + dir + ": holds no .jar file; copy the jar with your "
                    + "JobHandlerModule (named in META-INF/services/dev.jobq.JobHandlerModule) into it");
        }
        checkReadable(dir, jars);
        checkServicesNamedOnce(dir, jars);
        checkModuleProvidesAreInServices(dir, jars);
        warnShadowed(dir, jars, parent);
        URL[] urls = jars.stream().map(HandlerJars::url).toArray(URL[]::new);
        return new HandlerJars(jars, new URLClassLoader("jobq-handlers", urls, parent));
    }

    /**
     * A class loader skips a jar it cannot open without a word, and its modules and providers would
     * then be missing with no reason given.
     */
    private static void checkReadable(Path dir, List<Path> jars) {
        List<String> unreadable = new ArrayList<>();
        for (Path jar : jars) {
            try {
                new ZipFile(jar.toFile()).close();
            } catch (IOException e) {
                unreadable.add(jar.getFileName() + " (" + e.getMessage() + ")");
            }
        }
        if (!unreadable.isEmpty()) {
            throw notAJar(dir, String.join(", ", unreadable));
        }
    }

    /**
     * A jar that opens and then cannot be read (an entry that does not inflate: a copy cut or damaged on the way)
     * is the user's to replace, as one that does not open: a usage error, not a run-time failure a restart retries.
     */
    private static CommandFailure unreadable(Path dir, Path jar, IOException e) {
        return notAJar(dir, jar.getFileName() + " (" + e.getMessage() + ")");
    }

    private static CommandFailure notAJar(Path dir, String jars) {
        return CommandFailure.usage("--handlers " + dir + ": cannot read as a jar: " + jars
                + "; replace it with a jar built by your build tool, or remove it from the directory");
    }

    /**
     * Two jars that name one class in a service file are, most often, two versions of one jar left
     * side by side after a deploy. The class loader takes the class from the first jar in name order
     * and ServiceLoader names it once, so the other jar's version would never run, without a word.
     */
    private static void checkServicesNamedOnce(Path dir, List<Path> jars) {
        Map<String, List<String>> jarsByImplementation = new TreeMap<>();
        for (Path jar : jars) {
            try (var zip = new ZipFile(jar.toFile())) {
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    String name = entry.getName();
                    if (entry.isDirectory() || !name.startsWith(SERVICES) || name.length() == SERVICES.length()) {
                        continue;
                    }
                    String service = name.substring(SERVICES.length());
                    for (String implementation : implementations(zip, entry)) {
                        jarsByImplementation.computeIfAbsent(implementation + " (a " + service + ")",
                                k -> new ArrayList<>()).add(jar.getFileName().toString());
                    }
                }
            } catch (IOException e) {
                throw unreadable(dir, jar, e);
            }
        }
        List<String> twice = new ArrayList<>();
        jarsByImplementation.forEach((implementation, in) -> {
            if (in.size() > 1) {
                twice.add(implementation + " is in " + String.join(" and ", in));
            }
        });
        if (!twice.isEmpty()) {
            throw CommandFailure.usage("--handlers " + dir + ": " + String.join("; ", twice) + ", and only the first "
                    + "one's would run; remove the jar you do not mean to deploy");
        }
    }

    /**
     * A modular jar may declare its handler module (or provider) only with {@code provides} in its
     * {@code module-info.class}. The jars here are on a class path, where ServiceLoader reads only
     * {@code META-INF/services}, so that module would be missing without a word.
     */
    private static void checkModuleProvidesAreInServices(Path dir, List<Path> jars) {
        List<String> unread = new ArrayList<>();
        for (Path jar : jars) {
            try (var zip = new ZipFile(jar.toFile())) {
                ZipEntry moduleInfo = zip.getEntry("module-info.class");
                if (moduleInfo == null) {
                    continue;
                }
                ModuleDescriptor descriptor;
                try (InputStream in = zip.getInputStream(moduleInfo)) {
                    descriptor = ModuleDescriptor.read(in);
                } catch (InvalidModuleDescriptorException e) {
                    continue; // not a module the JVM would take either; the jar's classes still load
                }
                for (ModuleDescriptor.Provides provides : descriptor.provides()) {
                    if (!JOBQ_SERVICES.contains(provides.service())) {
                        continue;
                    }
                    ZipEntry file = zip.getEntry(SERVICES + provides.service());
                    Set<String> named = file == null ? Set.of() : implementations(zip, file);
                    for (String implementation : provides.providers()) {
                        if (!named.contains(implementation)) {
                            unread.add(jar.getFileName() + " declares 'provides " + provides.service() + " with "
                                    + implementation + "' in its module-info.class, which jobq does not read: it loads "
                                    + "--handlers jars on a class path, where ServiceLoader reads only META-INF/services; "
                                    + "add " + SERVICES + provides.service() + " naming " + implementation
                                    + " to the jar (most modular jars carry both)");
                        }
                    }
                }
            } catch (IOException e) {
                throw unreadable(dir, jar, e);
            }
        }
        if (!unread.isEmpty()) {
            throw CommandFailure.usage("--handlers " + dir + ": " + String.join("; ", unread));
        }
    }

    /**
     * The jars share a class loader whose parent is the {@code jobq} jar's, which loads first: a class
     * the {@code jobq} jar also has (a library it ships, in another version) is never loaded from the
     * handler jar. Code built against the jar's version then fails in a job, with a NoSuchMethodError
     * or NoClassDefFoundError that says nothing of why; the warning says it at start.
     */
    private static void warnShadowed(Path dir, List<Path> jars, ClassLoader parent) {
        for (Path jar : jars) {
            List<String> shadowed = shadowedClasses(dir, jar, parent);
            if (!shadowed.isEmpty()) {
                // escaped: a line break in the jar's name began a log line of its own
                String name = UntrustedText.escape(jar.getFileName().toString());
                log.warn("--handlers jar {}: {} of its classes, such as {}, are also in jobq's jar in another version, "
                        + "and are loaded from there, not from {}: build your handlers against the version jobq's jar "
                        + "has, or shade and relocate that library into your jar", name, shadowed.size(),
                        shadowed.get(0), name);
            }
        }
    }

    /** The classes of {@code jar} that {@code parent} has too, with other bytes. */
    private static List<String> shadowedClasses(Path dir, Path jar, ClassLoader parent) {
        List<String> shadowed = new ArrayList<>();
        try (var zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String name = entry.getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                    continue;
                }
                URL there = parent.getResource(name);
                if (there != null && !sameBytes(zip, entry, there)) {
                    shadowed.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            throw unreadable(dir, jar, e);
        }
        return shadowed;
    }

    private static boolean sameBytes(ZipFile zip, ZipEntry entry, URL other) throws IOException {
        try (InputStream mine = zip.getInputStream(entry); InputStream theirs = other.openStream()) {
            return Arrays.equals(mine.readAllBytes(), theirs.readAllBytes());
        }
    }

    /** The class names of a service file: one a line, {@code #} starting a comment. */
    private static Set<String> implementations(ZipFile zip, ZipEntry entry) throws IOException {
        try (var in = zip.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(line -> line.replaceFirst("#.*", "").strip())
                    .filter(line -> !line.isEmpty())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException("a file path that is no URL: " + jar, e);
        }
    }

    List<Path> jars() {
        return jars;
    }

    ClassLoader loader() {
        return loader;
    }

    @Override
    public void close() {
        try {
            loader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the class loader of the --handlers jars failed", e);
        }
    }
}
