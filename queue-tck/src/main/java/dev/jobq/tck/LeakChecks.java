package dev.jobq.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a closed JobQueue must not leave behind, for a provider's or scheduler's tests that build and close
 * queues again and again: threads named {@code jobq…}, and objects something still holds.
 */
public final class LeakChecks {

    private static final Pattern JOBQ_THREAD_NAME = Pattern.compile("\"name\": *\"(jobq[^\"]*)\"");

    private LeakChecks() {
    }

    /**
     * Names of the live threads starting with "jobq", virtual ones too (poll loops, handlers, long polls), which
     * {@link Thread#getAllStackTraces()} does not list: from a JSON thread dump of the JVM.
     */
    public static List<String> jobqThreadsVirtualToo() throws IOException {
        Path dump = Files.createTempDirectory("jobq-threads").resolve("dump.json");
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            Matcher names = JOBQ_THREAD_NAME.matcher(Files.readString(dump));
            List<String> found = new ArrayList<>();
            while (names.find()) {
                found.add(names.group(1));
            }
            return found;
        } finally {
            Files.deleteIfExists(dump);
            Files.deleteIfExists(dump.getParent());
        }
    }

    /** Collects until every reference is cleared, or fails within {@code wait} naming how many something holds. */
    public static void awaitCollected(List<? extends WeakReference<?>> refs, String what, Duration wait) {
        await().atMost(wait).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            System.gc();
            long held = refs.stream().filter(ref -> ref.get() != null).count();
            assertThat(held).as("%s of %d still reachable", what, refs.size()).isZero();
        });
    }
}
