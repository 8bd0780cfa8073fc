package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.metrics.AttemptOutcomeListener;
import dev.jobq.memory.MemoryProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What docs/operations.md says a running queue holds and does, each test a passage of the page, run against a queue. */
class OperationsClaimsTest {

    static final String PAGE = DocPage.of("docs/operations.md").text();

    record Work(String what) {}

    @TempDir Path dir;

    /** The "What a long-running process holds" table, its rows as written. */
    private static List<String> longRunningRows() {
        int at = PAGE.indexOf("\n## What a long-running process holds\n");
        assertThat(at).as("the section is on the page").isNotNegative();
        String section = PAGE.substring(at + 1, PAGE.indexOf("\n## ", at + 1));
        return section.lines().filter(line -> line.startsWith("| ") && !line.startsWith("| What")).toList();
    }

    /** The thread names the table gives ({@code jobq-lease-<queue>-N}), as patterns for the queue named {@code queue}. */
    private static List<Pattern> threadNames(String queue) {
        List<Pattern> names = new ArrayList<>();
        for (String row : longRunningRows()) {
            Matcher name = Pattern.compile("`(jobq-[^`]*?(?:<queue>[^`]*|-N))`").matcher(row);
            while (name.find()) {
                String written = name.group(1);
                String regex = Pattern.quote(written.replace("<queue>", queue));
                if (written.endsWith("-N")) {
                    regex = Pattern.quote(written.substring(0, written.length() - 1).replace("<queue>", queue)) + "\\d+";
                }
                names.add(Pattern.compile(regex));
            }
        }
        assertThat(names).as("the table names the threads of heartbeats, timeouts, the watchdog and the scheduler")
                .hasSizeGreaterThanOrEqualTo(4);
        return names;
    }

    private static List<String> liveJobqThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("jobq-")).sorted().toList();
    }

    @Test
    void theThreadsOfTheLongRunningTableAreNamedAsTheTableNamesThem() throws Exception {
        // a short lease, so that heartbeats run; a handler that ignores the interrupt past its timeout, so
        // that a timeout is recorded; a scheduler that fires, for its firing thread
        Path config = Files.writeString(dir.resolve("jobq.yaml"), """
                provider:
                  type: memory
                  leaseDuration: 300ms
                scheduler:
                  enabled: true
                  jdbcUrl: jdbc:h2:mem:ops-threads;DB_CLOSE_DELAY=-1
                """);
        var release = new CountDownLatch(1);
        var running = new CountDownLatch(1);
        try (JobQueue jobs = JobQueue.builder().config(config).environment(Map.of()).build()) {
            jobs.registerJobHandler("work:stuck", Work.class, (job, ctx) -> {
                running.countDown();
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // a handler that ignores the interrupt: it runs on past its timeout
                    }
                }
            });
            jobs.start();
            jobs.enqueue("work:stuck", new Work("x"), EnqueueOptions.builder().maxAttempts(1)
                    .timeout(Duration.ofMillis(400)).build());
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> liveJobqThreads().stream()
                        .anyMatch(name -> name.startsWith("jobq-timeout-")) && liveJobqThreads().stream()
                        .anyMatch(name -> name.startsWith("jobq-lease-")));
                List<String> live = liveJobqThreads();
                for (Pattern name : threadNames("default")) {
                    assertThat(live.stream().anyMatch(thread -> name.matcher(thread).matches()))
                            .as("a thread named as docs/operations.md's table names it (%s); jobq's threads: %s", name, live)
                            .isTrue();
                }
            } finally {
                release.countDown();
            }
        }
    }

    /** The bound the table gives in the row that starts with {@code what}: its first number. */
    private static long bound(String what) {
        String row = longRunningRows().stream().filter(r -> r.startsWith("| " + what)).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + what));
        Matcher number = Pattern.compile("\\| [^|]*?(\\d[\\d,]*)").matcher(row.substring(row.indexOf(" |", 2)));
        assertThat(number.find()).as(row).isTrue();
        return Long.parseLong(number.group(1).replace(",", ""));
    }

    @Test
    void theBoundsOfTheLongRunningTableAreTheCodesOwn() {
        assertThat(bound("memory provider: completed jobs")).isEqualTo(MemoryProviderFactory.DEFAULT_MAX_HISTORY_SIZE);
        assertThat(bound("memory provider: dead letters")).isEqualTo(MemoryProviderFactory.DEFAULT_MAX_DEAD_LETTERS);
        assertThat(bound("`JobQueueMetrics`")).isEqualTo(AttemptOutcomeListener.MAX_TRACKED);
    }
}
