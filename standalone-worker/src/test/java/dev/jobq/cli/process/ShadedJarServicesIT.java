package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shaded {@code jobq.jar} keeps every {@code META-INF/services} line of the jars it is made of:
 * two jars with one service file (the memory and SQS providers; H2 and PostgreSQL drivers; Flyway's
 * plugins) must be merged, not the last one kept, or {@code jobq run} loses a provider without a word.
 */
class ShadedJarServicesIT {

    private static final String SERVICES = "META-INF/services/";

    @Test
    @DisplayName("jobq.jar names both providers and the scheduler in its service files")
    void namesBothProvidersAndTheScheduler() {
        Map<String, Set<String>> shaded = services(jar(JobqProcess.JAR_PROPERTY));
        assertThat(shaded.get("dev.jobq.spi.QueueProviderFactory"))
                .containsExactlyInAnyOrder("dev.jobq.memory.MemoryProviderFactory", "dev.jobq.sqs.SqsProviderFactory");
        assertThat(shaded.get("dev.jobq.spi.JobSchedulerFactory"))
                .containsExactly("dev.jobq.scheduler.jdbc.JdbcSchedulerFactory");
        assertThat(shaded).as("the example handlers are found only through --handlers")
                .doesNotContainKey("dev.jobq.JobHandlerModule");
    }

    @Test
    @DisplayName("every service line of every library jar in jobq.jar is in jobq.jar's file of that service")
    void keepsEveryServiceLineOfItsLibraries() throws IOException {
        Map<String, Set<String>> shaded = services(jar(JobqProcess.JAR_PROPERTY));
        List<Path> jars = new ArrayList<>();
        for (String property : List.of("jobq.module.queue-spi", "jobq.module.provider-memory",
                "jobq.module.provider-sqs", "jobq.module.scheduler-jdbc")) {
            jars.add(jar(property));
        }
        String listing = Files.readString(jar("jobq.module.dependencies")).strip();
        for (String entry : listing.split(File.pathSeparator)) {
            jars.add(Path.of(entry));
        }
        List<String> lost = new ArrayList<>();
        int lines = 0;
        for (Path jar : jars) {
            for (var service : services(jar).entrySet()) {
                for (String implementation : service.getValue()) {
                    lines++;
                    if (!shaded.getOrDefault(service.getKey(), Set.of()).contains(implementation)) {
                        lost.add(SERVICES + service.getKey() + ": " + implementation + " (from " + jar.getFileName() + ")");
                    }
                }
            }
        }
        assertThat(lines).as("service lines in the libraries (java.sql.Driver of H2 and PostgreSQL, ...)")
                .isGreaterThan(10);
        assertThat(lost).as("service lines missing from jobq.jar").isEmpty();
    }

    private static Path jar(String property) {
        String path = System.getProperty(property);
        assertThat(path).as("system property " + property + ": run with ./mvnw verify").isNotNull();
        assertThat(Path.of(path)).as(property).isRegularFile();
        return Path.of(path);
    }

    /** Each service file of {@code jar}: its name after META-INF/services/ and its class names. */
    private static Map<String, Set<String>> services(Path jar) {
        Map<String, Set<String>> services = new TreeMap<>();
        try (var zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String name = entry.getName();
                if (entry.isDirectory() || !name.startsWith(SERVICES) || name.length() == SERVICES.length()
                        || name.substring(SERVICES.length()).contains("/")) {
                    continue;
                }
                try (var in = zip.getInputStream(entry)) {
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                            .map(line -> line.replaceFirst("#.*", "").strip())
                            .filter(line -> !line.isEmpty())
                            .forEach(line -> services.computeIfAbsent(name.substring(SERVICES.length()),
                                    k -> new TreeSet<>()).add(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + jar + " failed", e);
        }
        return services;
    }
}
