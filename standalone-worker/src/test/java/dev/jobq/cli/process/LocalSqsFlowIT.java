package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobHandlerModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "With SQS" flow, with the two jars a user runs: {@code local-sqs.jar} as the SQS
 * endpoint (its printed {@code jobq.yaml} saved as is, and the same as the README's), the README's
 * own handler module compiled against jobq, {@code jobq run}, {@code jobq enqueue},
 * {@code jobq stats}, and Ctrl-C (SIGINT) for both.
 */
class LocalSqsFlowIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @DisplayName("local-sqs.jar's jobq.yaml, an own handler jar, jobq run, enqueue and stats; Ctrl-C stops both")
    void readmeFlowOnLocalSqs() throws Exception {
        try (JobqProcess localSqs = JobqProcess.javaJar("local-sqs.jar", "local-sqs/target/local-sqs.jar")
                .directory(dir).args("--port", "0").start()) {
            localSqs.stdout().awaitLine("local-sqs: running", START);
            String printed = printedConfig(localSqs.stdout().lines());
            String port = printed.lines().filter(l -> l.startsWith("  endpoint: ")).findFirst().orElseThrow()
                    .replaceAll(".*:", "");
            var readme = ReadmeFile.read();
            assertThat(printed.replace(":" + port, ":9324")).as("the README's jobq.yaml is what local-sqs prints")
                    .isEqualTo(readme.heredoc("/tmp/jobq-sqs/jobq.yaml"));
            Path config = Files.writeString(dir.resolve("jobq.yaml"), printed);
            Path handlers = dir.resolve("handlers");
            new JarBuilder().compile(dir.resolve("hello"),
                            Map.of("hello.HelloHandlers", readme.heredoc("/tmp/jobq-sqs/src/hello/HelloHandlers.java")))
                    .service(JobHandlerModule.class, "hello.HelloHandlers")
                    .writeTo(handlers.resolve("hello.jar"));

            try (JobqProcess worker = JobqProcess.jar().directory(dir)
                    .args("run", "--config", config.toString(), "--handlers", handlers.toString()).start()) {
                assertThat(worker.stdout().awaitLine("jobq run: working", START)).endsWith("handlers: hello:greet");

                var enqueued = JobqProcess.jar().directory(dir)
                        .args("enqueue", "hello:greet", "--payload", "{\"name\": \"Ada\"}", "--config", config.toString())
                        .run(COMMAND);
                assertThat(enqueued.exitCode()).as(enqueued.err()).isZero();
                String jobId = enqueued.out().strip();
                worker.stderr().await(l -> l.contains("job=" + jobId) && l.contains("outcome=completed"), 1, START,
                        "with job=" + jobId + " and outcome=completed");
                assertThat(worker.stderr().text()).contains("[" + jobId + "] - hello, Ada");

                var stats = JobqProcess.jar().directory(dir).args("stats", "--config", config.toString()).run(COMMAND);
                assertThat(stats.exitCode()).as(stats.err()).isZero();
                assertThat(stats.out()).startsWith("QUEUE").containsPattern("(?m)^default\\s+0\\s");

                stopAsCtrlCWould(worker);
                assertThat(worker.awaitExit(EXIT)).isZero();
                assertThat(worker.stdout().text()).endsWith("jobq run: stopped");
            }
            boolean viaInt = stopAsCtrlCWould(localSqs);
            assertThat(localSqs.awaitExit(EXIT)).as("the JVM's status after the signal").isEqualTo(viaInt ? 130 : 143);
            assertThat(localSqs.stdout().text()).endsWith("local-sqs: stopped");
        }
    }

    @Test
    @DisplayName("java older than 21 runs local-sqs.jar with JAVA_HOME's java, as it runs jobq.jar, and TERM stops it")
    void olderJavaRunsLocalSqsWithJavaHomes() throws Exception {
        Path old = JobqProcess.olderJava();
        try (JobqProcess localSqs = JobqProcess.javaJar("local-sqs.jar", "local-sqs/target/local-sqs.jar").java(old)
                .directory(dir).env("JAVA_HOME", System.getProperty("java.home")).args("--port", "0").start()) {
            localSqs.stderr().awaitLine("local-sqs needs 21 or newer: running with JAVA_HOME's, Java "
                    + Runtime.version().feature(), START);
            localSqs.stdout().awaitLine("local-sqs: running", START);

            localSqs.terminate();
            assertThat(localSqs.awaitExit(EXIT)).as("local-sqs's own status on SIGTERM, passed on by the launcher").isEqualTo(128 + 15);
            assertThat(localSqs.stdout().text()).endsWith("local-sqs: stopped");
        }
    }

    /**
     * SIGINT, as Ctrl-C sends it — unless this build runs with INT ignored (in the background), which
     * the children inherit; then SIGTERM. Returns whether it was SIGINT.
     */
    private static boolean stopAsCtrlCWould(JobqProcess process) {
        boolean viaInt = JobqProcess.interruptReachesChildren();
        if (viaInt) {
            process.interrupt();
        } else {
            process.terminate();
        }
        return viaInt;
    }

    /** The jobq.yaml local-sqs printed: the lines between the blank lines after "a jobq.yaml for it:". */
    private static String printedConfig(List<String> stdout) {
        int start = stdout.indexOf("local-sqs: a jobq.yaml for it:") + 2;
        int end = stdout.subList(start, stdout.size()).indexOf("") + start;
        assertThat(start).as("local-sqs printed a jobq.yaml:\n" + String.join("\n", stdout)).isGreaterThan(1);
        return String.join("\n", stdout.subList(start, end)) + "\n";
    }
}
