package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.QueueProvider;
import dev.jobq.tck.LeakChecks;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JobQueues with the JDBC scheduler built, used and closed 50 times in one JVM, on an H2 file database and on an
 * in-memory one: no thread, no open file of the database, no lock file is left, and nothing keeps a closed queue or
 * its scheduler reachable. A queue whose scheduler cannot reach its database fails to build and leaves nothing either.
 */
@DisplayName("JobQueues with the JDBC scheduler started and closed again and again leave nothing behind")
class SchedulerCyclesTest {

    /** 50 on H2 in memory; 20 on an H2 file, whose every open costs a few hundred ms (file, lock, schema check). */
    private static final int CYCLES = 50;
    private static final int FILE_CYCLES = 20;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                // the virtual-thread scheduler's carriers are the JDK's: it adds carriers while virtual threads block
                // holding theirs (file I/O, for one) and keeps each 30 s after its last use
                .filter(thread -> !thread.getClass().getName().equals("jdk.internal.misc.CarrierThread"))
                .map(Thread::getName)
                .filter(name -> !name.startsWith("awaitility")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** File descriptors of this JVM open on a file under {@code under} (Linux's /proc). */
    static List<String> openFilesUnder(Path under) throws IOException {
        List<String> open = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(under)) {
                        open.add(target.toString());
                    }
                } catch (IOException gone) {
                    // closed while listed
                }
            }
        }
        return open;
    }

    static void awaitCollected(List<? extends WeakReference<?>> refs, String what) {
        LeakChecks.awaitCollected(refs, what, WAIT);
    }

    private static List<WeakReference<Object>> cycle(String jdbcUrl, int n) throws InterruptedException {
        var done = new CountDownLatch(2);
        QueueProvider provider = MemoryProviderFactory.builder().build();
        var scheduler = new AtomicReference<JobScheduler>();
        var factory = new JdbcSchedulerFactory();
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider(provider)
                .scheduler(context -> {
                    JobScheduler created = factory.create(new dev.jobq.spi.SchedulerContext(
                            dev.jobq.spi.Settings.of("test", "scheduler", Map.of("jdbcUrl", jdbcUrl,
                                    "pollInterval", "200ms")), context.clock(), context.sink()));
                    scheduler.set(created);
                    return created;
                })
                .listener(e -> {
                    if (e instanceof JobEvent.Completed) {
                        done.countDown();
                    }
                }).build();
        try {
            jobs.registerJobHandler("report", String.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("report", "now " + n);
            jobs.scheduler().schedule("report", "held " + n, Instant.now());
            assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("cycle %d's jobs ran", n).isTrue();
        } finally {
            jobs.close();
        }
        return List.of(new WeakReference<>(jobs), new WeakReference<>(provider), new WeakReference<>(scheduler.get()));
    }

    private static void cycles(String jdbcUrl, int count, Path files) throws Exception {
        cycle(jdbcUrl, 0); // classes loaded, schema migrated
        await().atMost(WAIT).untilAsserted(() -> assertThat(jobqThreads()).isEmpty());
        Set<String> before = threadNames();
        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            refs.addAll(cycle(jdbcUrl, i));
        }
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> added = threadNames();
            added.removeAll(before);
            assertThat(added).as("threads left after %d cycles", count).isEmpty();
        });
        if (files != null) {
            assertThat(openFilesUnder(files)).as("files of the database still open after %d cycles", count).isEmpty();
            try (var left = Files.list(files)) {
                assertThat(left.map(p -> p.getFileName().toString()).toList()).as("files of the database")
                        .noneMatch(name -> name.endsWith(".lock.db"));
            }
        }
        awaitCollected(refs, "queues, providers and schedulers of the " + count + " cycles");
    }

    static List<String> jobqThreads() {
        return LifecycleLeakTest.jobqThreads();
    }

    @Test
    @DisplayName("H2 file database: 20 cycles leave no thread, no open file, no lock file, nothing reachable")
    void h2File() throws Exception {
        assumeThat(Path.of("/proc/self/fd")).as("Linux's /proc to count open files").isDirectory();
        Path db = dir.resolve("data");
        Files.createDirectories(db);
        cycles("jdbc:h2:file:" + db.resolve("jobq"), FILE_CYCLES, db);
    }

    @Test
    @DisplayName("H2 in-memory database: 50 cycles leave no thread and nothing reachable")
    void h2InMemory() throws Exception {
        cycles("jdbc:h2:mem:jobq-cycles", CYCLES, null);
    }

    @Test
    @DisplayName("a scheduler whose database refuses connections fails build() and leaves no thread, pool or queue")
    void aSchedulerThatCannotConnectLeavesNothing() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: connections to it are refused
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/jobq";
        Set<String> before = threadNames();
        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var closed = new java.util.concurrent.atomic.AtomicBoolean();
            QueueProvider provider = new dev.jobq.testing.ForwardingQueueProvider(MemoryProviderFactory.builder().build()) {
                @Override
                public void close() {
                    closed.set(true);
                    super.close();
                }
            };
            refs.add(new WeakReference<>(provider));
            assertThatThrownBy(() -> JobQueue.builder().environment(Map.of()).provider(provider)
                    .scheduler("jdbc", Map.of("jdbcUrl", url, "connectionTimeout", "250ms")).build())
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: cannot connect to PostgreSQL at 127.0.0.1:" + port + "/jobq");
            assertThat(closed).as("the queue's provider closed by the failed build").isTrue();
        }
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> added = threadNames();
            added.removeAll(before);
            assertThat(added).as("threads left by failed builds").isEmpty();
        });
        awaitCollected(refs, "providers of the failed builds");
    }
}
