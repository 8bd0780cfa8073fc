package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar jobq.jar demo} as a child process: what a stop signal in the middle of it leaves said. */
class DemoProcessIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aStopSignalInTheMiddleSaysHowManyJobsHadEnded() {
        // Ctrl-C, unless this build runs with INT ignored (see JobqProcess): then TERM, which ends the demo alike
        boolean viaInt = JobqProcess.interruptReachesChildren();
        // no class-data archive written at exit, which JDK 25 can crash writing when a signal ends the JVM (134)
        try (JobqProcess demo = JobqProcess.jar().jvmOptions("-XX:-AutoCreateSharedArchive").directory(dir)
                .args("demo", "--jobs", "100000").start()) {
            // 100,016 jobs at concurrency 4 take far longer than the first tick of the progress
            demo.stdout().await(l -> l.contains("] completed"), 1, START, "of progress");
            if (viaInt) {
                demo.interrupt();
            } else {
                demo.terminate();
            }

            // Before, the demo ended with 130 (or 143) and no word of what it had done.
            assertThat(demo.awaitExit(EXIT)).isEqualTo(viaInt ? 128 + 2 : 128 + 15);
            assertThat(demo.stdout().lines()).last().asString()
                    .matches("jobq demo: stopped by a signal: \\d+ of 100016 jobs had ended \\(completed or dead\\)");
        }
    }
}
