package dev.jobq.bench.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one run of a workload in a fresh JVM (this JVM's java, classpath and the workload's options)
 * and collects what it reports. A fork that exceeds {@link #TIMEOUT} is killed.
 */
final class ForkLauncher {

    static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final String forkMainClass;
    private final List<String> extraJvmOptions;

    ForkLauncher(String forkMainClass, List<String> extraJvmOptions) {
        this.forkMainClass = forkMainClass;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
    }

    /** The figures of one run, by metric key. */
    Map<String, Sample> run(Workload workload, Scale scale, int run, Consumer<ForkMessage.Progress> onProgress)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(workload.jvmOptions());
        command.addAll(extraJvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(forkMainClass);
        command.add(workload.id());
        command.add(scale.name());
        command.add(Integer.toString(run));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread.ofVirtual().name("fork-timeout").start(() -> killAfterTimeout(process));

        Map<String, Sample> results = new LinkedHashMap<>();
        try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String text = line;
                ForkMessage.parse(line).ifPresentOrElse(message -> {
                    switch (message) {
                        case ForkMessage.Progress progress -> onProgress.accept(progress);
                        case ForkMessage.Result result -> results.put(result.key(), result.sample());
                    }
                }, () -> System.err.println("  [" + workload.id() + " run " + run + "] " + text));
            }
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(workload.id() + " run " + run + " exited with status " + exit
                    + " (its error output is above)");
        }
        for (Metric metric : workload.metrics()) {
            if (!results.containsKey(metric.key())) {
                throw new IOException(workload.id() + " run " + run + " did not report metric '" + metric.key() + "'");
            }
        }
        return results;
    }

    private static void killAfterTimeout(Process process) {
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("a benchmark fork ran longer than " + TIMEOUT + "; killing it (pid " + process.pid() + ")");
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
