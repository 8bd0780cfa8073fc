package dev.jobq.cli.process;

import dev.jobq.launcher.Launcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@code jobq} process started from the shaded {@code jobq.jar} with the same {@code java} that
 * runs the test: arguments, environment, working directory; its stdout and stderr as
 * {@link OutputLines}; signals (TERM, INT, KILL); its exit status with a bound. Closing it kills
 * it if it still runs. Reusable by any process-level test (phase 2: SQS against ElasticMQ, the
 * scheduler against PostgreSQL).
 *
 * <pre>{@code
 * try (JobqProcess worker = JobqProcess.jar().args("run", "--config", config.toString()).start()) {
 *     worker.stdout().awaitLine("jobq run: working", Duration.ofSeconds(30));
 *     worker.terminate();                       // SIGTERM
 *     assertThat(worker.awaitExit(Duration.ofSeconds(20))).isZero();
 * }
 * }</pre>
 */
public final class JobqProcess implements AutoCloseable {

    /** The system property failsafe sets to the shaded jar's path. */
    public static final String JAR_PROPERTY = "jobq.jar";

    private final Process process;
    private final OutputLines stdout;
    private final OutputLines stderr;

    private JobqProcess(Process process) {
        this.process = process;
        this.stdout = OutputLines.follow("out-" + process.pid(), process.getInputStream(), System.out);
        this.stderr = OutputLines.follow("err-" + process.pid(), process.getErrorStream(), System.out);
    }

    /** A builder for {@code java -jar jobq.jar}, the jar named by {@value #JAR_PROPERTY}. */
    public static Builder jar() {
        return javaJar(JAR_PROPERTY, "standalone-worker/target/jobq.jar");
    }

    /**
     * A builder for {@code java -jar} of the jar the system property {@code property} names (failsafe
     * sets it to {@code built}).
     */
    public static Builder javaJar(String property, String built) {
        String jar = System.getProperty(property);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property " + property + " is " + jar + ": run process tests "
                    + "with ./mvnw verify, which builds " + built + " and lets failsafe set it");
        }
        return new Builder(Path.of(jar));
    }

    /**
     * A java older than 21 installed beside the one running the tests (Debian keeps JDKs in
     * /usr/lib/jvm), which the launcher of jobq's jars exists for; the test is skipped, and says so,
     * where there is none.
     */
    public static Path olderJava() {
        Path jvms = Path.of(System.getProperty("java.home")).getParent();
        try (var homes = Files.list(jvms)) {
            Optional<Path> old = homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> Launcher.releaseFeature(home) > 0 && Launcher.releaseFeature(home) < Launcher.REQUIRED)
                    .map(home -> home.resolve("bin/java")).findFirst();
            Assumptions.assumeTrue(old.isPresent(), "no JDK older than 21 in " + jvms + " to start a jar with");
            return old.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How to start one. */
    public static final class Builder {
        private final Path jar;
        private final List<String> jvmOptions;
        private final List<String> args = new ArrayList<>();
        private final List<String> prefix = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> removed = new ArrayList<>();
        private Path directory = Path.of(".").toAbsolutePath();
        private String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());

        private Builder(Path jar) {
            this.jar = jar;
            // A class-data archive beside the jar, written by the first child that ends normally and
            // mapped by the rest: it halves the start-up of the many short-lived children (JDK 19+).
            // The JVM's own warnings go to stderr, except the archive's (stale after a rebuild: rewritten).
            Path archive = jar.resolveSibling(jar.getFileName() + ".test.jsa");
            this.jvmOptions = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive",
                    "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xlog:cds*=off:stderr"));
        }

        /**
         * Starts the jar with {@code executable} instead of the test's own java, with no JVM options
         * but a heap bound (the class-data archive's need JDK 19).
         */
        public Builder java(Path executable) {
            this.java = executable.toString();
            jvmOptions.clear();
            jvmOptions.add("-Xmx256m");
            return this;
        }

        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        public Builder args(String... arguments) {
            args.addAll(List.of(arguments));
            return this;
        }

        /** Sets a variable in the child's environment (which starts as a copy of the test's, less JOBQ_ and QUEUE_ ones). */
        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** Leaves a variable out of the child's environment. */
        public Builder withoutEnv(String name) {
            removed.add(name);
            return this;
        }

        /**
         * Starts the process as the leader of a process group of its own, with INT at its default (a build
         * started in the background ignores it, and children inherit that), so that
         * {@link #interruptProcessGroup()} reaches it and every process it starts as a terminal's Ctrl-C
         * does, and nothing else. Through {@code perl}, present wherever git is.
         */
        public Builder inProcessGroupOfItsOwn() {
            prefix.addAll(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; setpgrp(0, 0) or die \"setpgrp: $!\"; "
                    + "exec { $ARGV[0] } @ARGV or die \"exec: $!\"", "--"));
            return this;
        }

        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        /**
         * Starts a one-shot command ({@code enqueue}, {@code schedule list}, ...) and waits at most
         * {@code timeout} for it to end.
         */
        public Finished run(Duration timeout) {
            try (JobqProcess process = start()) {
                int exitCode = process.awaitExit(timeout);
                return new Finished(exitCode, process.stdout().text(), process.stderr().text());
            }
        }

        public JobqProcess start() {
            List<String> command = new ArrayList<>(prefix);
            command.add(java);
            command.addAll(jvmOptions);
            command.add("-jar");
            command.add(jar.toString());
            command.addAll(args);
            var builder = new ProcessBuilder(command).directory(directory.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("JOBQ_") || k.startsWith("QUEUE_")
                    || k.startsWith("SCHEDULER_"));
            builder.environment().keySet().removeAll(removed);
            builder.environment().putAll(environment);
            try {
                return new JobqProcess(builder.start());
            } catch (IOException e) {
                throw new UncheckedIOException("starting " + command + " failed", e);
            }
        }
    }

    /** A command that ended: its exit status, and its stdout and stderr (lines joined with newlines). */
    public record Finished(int exitCode, String out, String err) {
    }

    public OutputLines stdout() {
        return stdout;
    }

    public OutputLines stderr() {
        return stderr;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The processes this one started, and theirs. */
    public List<ProcessHandle> descendants() {
        return process.toHandle().descendants().toList();
    }

    /**
     * SIGTERM, through {@link ProcessHandle#destroy()}: {@link Process#destroy()} sends the same
     * signal but also closes our ends of the child's stdout and stderr, losing what it prints while
     * it drains.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /**
     * Sends SIGTERM to all of {@code processes} first, then waits at most {@code timeout} for each;
     * returns their exit statuses in order.
     */
    public static List<Integer> terminateAll(Duration timeout, JobqProcess... processes) {
        for (JobqProcess process : processes) {
            process.terminate();
        }
        List<Integer> statuses = new ArrayList<>();
        for (JobqProcess process : processes) {
            statuses.add(process.awaitExit(timeout));
        }
        return statuses;
    }

    /** SIGINT, as Ctrl-C in a terminal sends it (through {@code kill -INT}). */
    public void interrupt() {
        signal("INT");
    }

    /**
     * True when a child of this JVM can be stopped with SIGINT: a build run in the background (a
     * non-interactive shell's {@code &}, nohup) starts with INT ignored, the children inherit that,
     * and the JVM leaves an ignored signal ignored.
     */
    public static boolean interruptReachesChildren() {
        var sigint = new sun.misc.Signal("INT");
        sun.misc.SignalHandler before = sun.misc.Signal.handle(sigint, s -> { });
        if (before == sun.misc.SignalHandler.SIG_IGN) {
            return false;
        }
        sun.misc.Signal.handle(sigint, before);
        return true;
    }

    /**
     * SIGINT to the process group this process leads ({@link Builder#inProcessGroupOfItsOwn()}): what Ctrl-C in
     * a terminal sends, to the process and every one it started.
     */
    public void interruptProcessGroup() {
        signal("INT", "-" + process.pid());
    }

    /**
     * SIGTERM to the process group this process leads ({@link Builder#inProcessGroupOfItsOwn()}): what systemd
     * sends a unit's whole control group on stop (its default {@code KillMode}), or {@code pkill} matching all.
     */
    public void terminateProcessGroup() {
        signal("TERM", "-" + process.pid());
    }

    /** SIGKILL: the process ends at once, running nothing more (its output so far stays readable). */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Sends {@code signal} (TERM, INT, KILL, ...) with the system's {@code kill} command. */
    public void signal(String signal) {
        signal(signal, Long.toString(process.pid()));
    }

    /** Sends {@code signal} to {@code process}, one this one started ({@link #descendants()}). */
    public static void signal(ProcessHandle process, String signal) {
        signal(signal, Long.toString(process.pid()));
    }

    /** Sends {@code signal} to {@code target}: a pid, or minus a process group's id. */
    private static void signal(String signal, String target) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", target)
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + target + " failed: "
                        + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + signal, e);
        }
    }

    /**
     * Waits at most {@code timeout} for the process to end and returns its exit status.
     *
     * @throws AssertionError when it still runs then (it is killed, and its output shown)
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.toHandle().destroyForcibly();
                throw new AssertionError("jobq process " + process.pid() + " still ran after " + timeout
                        + "; killed it. stdout:\n" + stdout.text() + "\nstderr:\n" + stderr.text());
            }
            // so that a test reading the output after the exit sees all of it
            stdout.awaitEnd(timeout);
            stderr.awaitEnd(timeout);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the jobq process", e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
