package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jobq.Backoff;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.tck.LeakChecks;
import java.lang.ref.WeakReference;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * 30 JobQueues on SQS (ElasticMQ) built, used and closed in one JVM: nothing keeps a closed queue (its SDK
 * clients, its poll loops) reachable, and no thread or socket is left; a queue that cannot start (the endpoint
 * refuses connections, the scheduler's database does) leaves none either.
 */
@DisplayName("SQS JobQueues started and closed again and again leave nothing behind (ElasticMQ)")
@ExtendWith(ElasticMq.class)
@Isolated("counts the JVM's threads and sockets")
class SqsCyclesTest {

    private static final int CYCLES = 30;
    private static final Duration WAIT = Duration.ofSeconds(30);

    static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                // the virtual-thread scheduler's carriers are the JDK's: it adds carriers while virtual threads block
                // holding theirs (file I/O, for one) and keeps each 30 s after its last use
                .filter(thread -> !thread.getClass().getName().equals("jdk.internal.misc.CarrierThread"))
                .map(Thread::getName)
                // the wait's own thread and the embedded server's are not the queues'
                .filter(name -> !name.startsWith("awaitility") && !name.startsWith("elasticmq"))
                .collect(Collectors.toCollection(TreeSet::new));
    }


    static void awaitCollected(List<? extends WeakReference<?>> refs, String what) {
        LeakChecks.awaitCollected(refs, what, WAIT);
    }

    private static WeakReference<Object> cycle(Map<String, Object> settings, int n) throws InterruptedException {
        var done = new CountDownLatch(1);
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("sqs", settings).backoff(Backoff.none())
                .concurrency(2).pollInterval(Duration.ofMillis(200)).shutdownTimeout(Duration.ofSeconds(5))
                .listener(e -> {
                    if (e instanceof JobEvent.Completed) {
                        done.countDown();
                    }
                }).build();
        try {
            jobs.registerJobHandler("report", String.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("report", "now " + n);
            assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("cycle %d's job ran", n).isTrue();
        } finally {
            jobs.close();
        }
        return new WeakReference<>(jobs);
    }

    private static void awaitNothingAdded(Set<String> threadsBefore, long socketsBefore, String after) {
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> added = threadNames();
            added.removeAll(threadsBefore);
            assertThat(added).as("threads left %s", after).isEmpty();
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(SqsLifecycleLeakTest.sockets())
                .as("sockets %s (%d before)", after, socketsBefore).isLessThanOrEqualTo(socketsBefore));
    }

    @Test
    @DisplayName("30 cycles (10 with a long poll in flight at close): every closed queue collectable, no thread or "
            + "socket left")
    void thirtyCyclesLeaveNothingReachable() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("cycles", false);
        Map<String, Object> longPolls = ElasticMq.settings(queues, Map.of("visibilityTimeout", "5s"));
        // close() lets a long poll in flight end (docs/sqs.md), a second each: most cycles poll without waiting.
        Map<String, Object> shortPolls = ElasticMq.settings(queues, Map.of("visibilityTimeout", "5s", "waitTime", "0s"));
        cycle(longPolls, 0); // classes loaded, the test's own client connected
        await().atMost(WAIT).untilAsserted(() -> assertThat(SqsLifecycleLeakTest.jobqThreads()).isEmpty());
        Set<String> threads = threadNames();
        long sockets = SqsLifecycleLeakTest.sockets();
        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 1; i <= CYCLES; i++) {
            refs.add(cycle(i % 3 == 0 ? longPolls : shortPolls, i));
        }
        awaitNothingAdded(threads, sockets, "after " + CYCLES + " cycles");
        await().atMost(WAIT).untilAsserted(() -> assertThat(LeakChecks.jobqThreadsVirtualToo())
                .as("jobq threads, virtual ones too (poll loops, long polls), after %d cycles", CYCLES).isEmpty());
        awaitCollected(refs, "queues of the " + CYCLES + " cycles");
    }

    @Test
    @DisplayName("an endpoint that refuses connections fails build() and leaves no thread or socket")
    void anEndpointThatRefusesLeavesNothing() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: connections to it are refused
        }
        Map<String, Object> settings = new HashMap<>(ElasticMq.settings(ElasticMq.newQueues("refused", false), Map.of()));
        settings.put("endpoint", "http://127.0.0.1:" + port);
        settings.remove("queueUrl");
        settings.put("queueName", "refused");
        Set<String> threads = threadNames();
        long sockets = SqsLifecycleLeakTest.sockets();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> JobQueue.builder().environment(Map.of()).provider("sqs", settings).build())
                    .isInstanceOf(JobQueueException.class).hasMessageContaining("Connection refused")
                    .hasMessageContaining("endpoint http://127.0.0.1:" + port);
        }
        awaitNothingAdded(threads, sockets, "by builds that could not connect");
    }

    @Test
    @DisplayName("a scheduler whose database refuses fails build() after the SQS provider was created: its SDK "
            + "clients are closed, no thread or socket is left")
    void aSchedulerThatCannotConnectClosesTheSqsProvider() throws Exception {
        Map<String, Object> settings = ElasticMq.settings(ElasticMq.newQueues("sched-refused", false), Map.of());
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/jobq";
        JobQueue.builder().environment(Map.of()).provider("sqs", settings).build().close(); // classes loaded
        Set<String> threads = threadNames();
        long sockets = SqsLifecycleLeakTest.sockets();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> JobQueue.builder().environment(Map.of()).provider("sqs", settings)
                    .scheduler("jdbc", Map.of("jdbcUrl", url, "connectionTimeout", "250ms")).build())
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: cannot connect to PostgreSQL at 127.0.0.1:" + port + "/jobq");
        }
        awaitNothingAdded(threads, sockets, "by builds whose scheduler could not connect");
    }
}
