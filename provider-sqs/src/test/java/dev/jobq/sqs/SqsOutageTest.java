package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.localsqs.LocalSqs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;

/**
 * The SQS server goes away under a running worker and comes back on the same port with the same
 * queues (ElasticMQ keeps its queues in memory, so they are created again, as a restarted server
 * with its state would have them).
 *
 * <p>Isolated: it reads what the whole {@code dev.jobq} logger tree logs, which the test classes that
 * run beside it (junit-platform.properties) would add their own receive failures and recoveries to. Of
 * those lines it counts only its own, which a worker left running by another class cannot write: the
 * failures naming its queue's URL (on this test's port), the recovery of its jobq queue {@value #QUEUE},
 * a name no other test gives a queue.
 */
@Isolated("captures the dev.jobq loggers, which the classes run beside it log to")
@DisplayName("SQS provider when the server goes away and comes back (ElasticMQ)")
class SqsOutageTest {

    /**
     * A port free when the test starts, the same for both servers so that the second comes back where
     * the worker looks for it. Not a fixed number: another build on the machine may hold that.
     */
    private final int port = freePort();

    /** The jobq queue's name, in the worker's lines about its receives: 'default' is every other test's too. */
    private static final String QUEUE = "outage";

    private final WorkerQueues workers = new WorkerQueues();
    private final Logger workerLog = (Logger) LoggerFactory.getLogger("dev.jobq");
    private final Logger pollLog = (Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.PollLoop");
    private final CapturedLog logged = new CapturedLog();
    private LocalSqs server;

    @BeforeEach
    void capture() {
        logged.start();
        workerLog.addAppender(logged);
        pollLog.setLevel(Level.DEBUG);
    }

    @AfterEach
    void close() {
        workers.close();
        workerLog.detachAppender(logged);
        pollLog.setLevel(null);
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("workers keep running through an outage, enqueue fails naming the queue and cause, every job after it runs")
    void workersRideOutAnOutage() {
        server = LocalSqs.start(LocalSqs.DEFAULT_HOST, port);
        LocalSqs.Queues queues = server.createQueues("outage");
        Map<String, Object> settings = new LinkedHashMap<>(server.connectionSettings());
        settings.put("queueUrl", queues.url());
        settings.put("visibilityTimeout", "5s");
        settings.put("waitTime", "1s");
        settings.put("requestTimeout", "1s");
        // concurrency 30: three poll loops on the queue, each failing on its own during the outage
        JobQueue jobs = JobQueue.builder().environment(Map.of()).queue(QUEUE, "sqs", settings).workerQueues(QUEUE)
                .backoff(Backoff.none()).concurrency(30).pollInterval(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofSeconds(5))
                .listener(workers.events::add).build();
        Set<String> ran = ConcurrentHashMap.newKeySet();
        jobs.registerJobHandler("mail:send", String.class, (job, ctx) -> ran.add(job.payload()));
        EnqueueOptions onQueue = EnqueueOptions.queue(QUEUE);
        try {
            jobs.start();
            List<String> before = IntStream.range(0, 3).mapToObj(i -> jobs.enqueue("mail:send", "before-" + i, onQueue)).toList();
            workers.awaitEvents(JobEvent.Completed.class, e -> before.contains(e.jobId()), before.size());

            server.close();
            server = null;
            assertThatThrownBy(() -> jobs.enqueue("mail:send", "during", onQueue))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining(queues.url())
                    .hasMessageContaining("127.0.0.1:" + port);
            // the poll loops keep trying: several failed receives, from every loop, while the server is down
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> failures(queues.url()).size() >= 6);
            List<ILoggingEvent> whileDown = failures(queues.url());

            server = LocalSqs.start(LocalSqs.DEFAULT_HOST, port);
            assertThat(server.createQueues("outage").url()).isEqualTo(queues.url());
            List<String> after = IntStream.range(0, 5).mapToObj(i -> jobs.enqueue("mail:send", "after-" + i, onQueue)).toList();
            workers.awaitEvents(JobEvent.Completed.class, e -> after.contains(e.jobId()), after.size());
            ILoggingEvent recovered = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> recoveries().stream()
                    .findFirst().orElse(null), e -> e != null);

            assertThat(ran).contains("before-0", "before-1", "before-2", "after-0", "after-1", "after-2", "after-3",
                    "after-4").doesNotContain("during");
            // an outage is logged once per queue, not once per loop and failure: the first failure at WARN with its
            // stack trace, the others at DEBUG (a WARN line every 30 s while it lasts), and one INFO line at the end
            List<ILoggingEvent> warnings = failures(queues.url()).stream().filter(e -> e.getLevel() == Level.WARN)
                    .toList();
            assertThat(warnings).singleElement().satisfies(e -> assertThat(e.getThrowableProxy()).isNotNull());
            // (once the server is back, a receive may still fail for the moment until its queue is created again)
            assertThat(whileDown.subList(1, whileDown.size())).allSatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
                assertThat(e.getFormattedMessage()).contains(" in a row").contains("Connection refused");
            });
            assertThat(recovered.getLevel()).isEqualTo(Level.INFO);
            assertThat(recovered.getFormattedMessage()).containsPattern("after \\d+ failed receives over \\d+s");
            assertThat(recoveries()).hasSize(1);
        } finally {
            jobs.close();
        }
    }

    /**
     * The failed receives of this test's queue: its jobq name in the line, its URL in the line (the DEBUG ones and a
     * repeated WARN, which describe the error) or in the logged error (the first WARN, with its stack trace).
     */
    private List<ILoggingEvent> failures(String url) {
        return logged.list.stream().filter(e -> e.getFormattedMessage().startsWith("receiving from queue '" + QUEUE
                + "' failed")).filter(e -> e.getFormattedMessage().contains(url) || errorNames(e.getThrowableProxy(), url))
                .toList();
    }

    private static boolean errorNames(IThrowableProxy error, String url) {
        for (IThrowableProxy e = error; e != null; e = e.getCause()) {
            if (String.valueOf(e.getMessage()).contains(url)) {
                return true;
            }
        }
        return false;
    }

    /** The lines saying this test's queue receives again (they name its jobq queue, not its URL). */
    private List<ILoggingEvent> recoveries() {
        return logged.list.stream().filter(e -> e.getFormattedMessage().startsWith("receiving from queue '" + QUEUE
                + "' works again")).toList();
    }

    /**
     * A port free now and below the range the system hands out to outgoing connections (32768 and up on
     * Linux): a port of the system's choosing comes from that range, and while the server is down between
     * its two starts another process's connection could take it.
     */
    private static int freePort() {
        var random = ThreadLocalRandom.current();
        for (int tries = 0; tries < 100; tries++) {
            int port = random.nextInt(20_000, 32_000);
            try (var socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000 in 100 tries");
    }
}
