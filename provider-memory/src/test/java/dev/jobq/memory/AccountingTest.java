package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.QueueStats;
import dev.jobq.metrics.JobQueueMetrics;
import dev.jobq.spi.Failure;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A mixed run whose truth is known, on the memory provider in process: the outcome counters, the
 * duration timers, the enqueue counter, the events and {@code stats()} must each count what happened,
 * once per event, and agree with each other, also where the provider fails an acknowledgement or a
 * dead-letter write.
 */
class AccountingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ConcurrentLinkedQueue<JobEvent> events = new ConcurrentLinkedQueue<>();
    /** Jobs whose first acknowledgement, or first failure record, the provider refuses. */
    private final Set<String> refuseOnce = ConcurrentHashMap.newKeySet();

    private double count(String type, String outcome) {
        Counter counter = registry.find("jobq.jobs").tags("queue", "default", "type", type, "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double countAll(String outcome) {
        return registry.find("jobq.jobs").tag("outcome", outcome).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private long timed(String outcome) {
        return registry.find("jobq.job.duration").tag("outcome", outcome).timers().stream()
                .mapToLong(Timer::count).sum();
    }

    private String meters() {
        return registry.find("jobq.jobs").counters().stream()
                .map(c -> c.getId().getTag("type") + "/" + c.getId().getTag("outcome") + "=" + c.count())
                .sorted().toList().toString();
    }

    private Map<Class<?>, Long> eventCounts() {
        return events.stream().collect(Collectors.groupingBy(Object::getClass, Collectors.counting()));
    }

    @Test
    void metricsEventsAndStatsCountAMixedRunOnceEach() throws Exception {
        // A lease of 1 s, so that the two jobs whose settling the provider refuses come back soon; longer than
        // a busy machine's pauses, which would otherwise lose a running job's lease and shift its attempts.
        var provider = new ForwardingQueueProvider(MemoryProviderFactory.builder()
                .leaseDuration(Duration.ofSeconds(1)).build()) {
            @Override
            public void acknowledge(ReceivedJob job) {
                if (job.envelope().type().equals("ackfail") && refuseOnce.remove(job.jobId())) {
                    throw new JobQueueException("acknowledgement refused (test)");
                }
                super.acknowledge(job);
            }

            @Override
            public void fail(ReceivedJob job, Failure failure) {
                if (job.envelope().type().endsWith("fail") && refuseOnce.remove(job.jobId())) {
                    throw new JobQueueException("dead-letter write refused (test)");
                }
                super.fail(job, failure);
            }
        };
        JobQueue jobs = JobQueue.builder().provider(provider).concurrency(8)
                .backoff(Backoff.fixed(Duration.ofMillis(10))).shutdownTimeout(Duration.ofMillis(200))
                .listener(events::add).build();
        var hung = new CountDownLatch(2);
        var never = new CountDownLatch(1);
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        try {
            jobs.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
            jobs.registerJobHandler("dd", Integer.class, (job, ctx) -> { });
            jobs.registerJobHandler("num", Integer.class, (job, ctx) -> { });
            jobs.registerJobHandler("ackfail", Integer.class, (job, ctx) -> { });
            jobs.registerJobHandler("flaky", Integer.class, (job, ctx) -> {
                if (failedOnce.add(job.id())) {
                    throw new IllegalStateException("first time");
                }
            });
            jobs.registerJobHandler("bad", Integer.class, (job, ctx) -> {
                throw new IllegalStateException("never works");
            });
            jobs.registerJobHandler("retryfail", Integer.class, (job, ctx) -> {
                if (job.attempt() == 1) {
                    throw new IllegalStateException("first time");
                }
            });
            jobs.registerJobHandler("deadfail", Integer.class, (job, ctx) -> {
                throw new IllegalStateException("never works");
            });
            jobs.registerJobHandler("slow", Integer.class, (job, ctx) -> {
                if (job.attempt() == 1) {
                    never.await(); // until the timeout interrupts it
                }
            });
            jobs.registerJobHandler("hang", Integer.class, (job, ctx) -> {
                hung.countDown();
                never.await(); // until the shutdown releases it
            });
            new JobQueueMetrics(jobs).bindTo(registry);

            for (int i = 0; i < 20; i++) {
                jobs.enqueue("ok", i);
            }
            for (int i = 0; i < 5; i++) {
                jobs.enqueue("flaky", i);
            }
            for (int i = 0; i < 3; i++) {
                jobs.enqueue("bad", i, EnqueueOptions.builder().maxAttempts(2).build());
            }
            for (int i = 0; i < 4; i++) {
                jobs.enqueue("nobody-" + i, i);
            }
            jobs.enqueue("num", "not a number");
            jobs.enqueue("num", "nor this");
            String kept = jobs.enqueue("dd", 1, EnqueueOptions.builder().deduplicationKey("k").build());
            assertThat(jobs.enqueue("dd", 2, EnqueueOptions.builder().deduplicationKey("k").build())).isEqualTo(kept);
            for (int i = 0; i < 2; i++) {
                jobs.enqueue("slow", i, EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(2).build());
            }
            refuseOnce.add(jobs.enqueue("ackfail", 1));
            refuseOnce.add(jobs.enqueue("deadfail", 1, EnqueueOptions.builder().maxAttempts(1).build()));
            refuseOnce.add(jobs.enqueue("retryfail", 1));
            jobs.enqueue("hang", 1);
            jobs.enqueue("hang", 2);
            jobs.start();

            // 20 ok + 5 flaky + 1 dd + 2 slow (second attempt) + ackfail twice (its first acknowledgement failed)
            // + retryfail completed; 5 flaky + 3 bad + 2 slow + retryfail (whose retry the provider did not record)
            // failed once; 3 bad + 4 unknown + 2 unreadable + deadfail dead.
            assertThat(hung.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            await().atMost(WAIT).conditionEvaluationListener(condition -> {
                if (condition.getRemainingTimeInMS() < 500) {
                    System.out.println("meters: " + meters() + " events: " + eventCounts());
                }
            }).until(() -> countAll("completed") == 31 && countAll("dead") == 10 && countAll("failed") == 11);
            QueueStats stats = jobs.stats("default");

            assertThat(count("ok", "completed")).isEqualTo(20);
            assertThat(count("flaky", "completed")).isEqualTo(5);
            assertThat(count("flaky", "failed")).isEqualTo(5);
            assertThat(count("bad", "failed")).isEqualTo(3);
            assertThat(count("bad", "dead")).isEqualTo(3);
            assertThat(count(JobQueueMetrics.UNREGISTERED_TYPE, "dead")).isEqualTo(4);
            assertThat(count("num", "dead")).isEqualTo(2);
            assertThat(count("dd", "completed")).isEqualTo(1);
            assertThat(count("slow", "failed")).isEqualTo(2);
            assertThat(count("slow", "completed")).isEqualTo(2);
            assertThat(count("ackfail", "completed")).as("its handler ran twice: completed twice").isEqualTo(2);
            assertThat(count("deadfail", "dead")).isEqualTo(1);
            assertThat(count("deadfail", "failed")).as("its failure was never recorded: no outcome").isZero();
            assertThat(count("retryfail", "failed")).as("counted before the provider was told").isEqualTo(1);
            assertThat(count("retryfail", "completed")).as("back after its lease").isEqualTo(1);
            assertThat(timed("completed")).isEqualTo(31);
            assertThat(timed("failed")).isEqualTo(11);
            assertThat(timed("dead")).as("bad's last attempts only: the others never reached a handler").isEqualTo(3);

            Map<String, Double> enqueued = registry.find("jobq.jobs.enqueued").counters().stream()
                    .collect(Collectors.toMap(c -> c.getId().getTag("type"), Counter::count));
            assertThat(enqueued.values().stream().mapToDouble(Double::doubleValue).sum())
                    .as("42 jobs, the deduplicated enqueue not among them").isEqualTo(42);
            assertThat(enqueued).containsEntry("dd", 1.0).containsEntry("ok", 20.0);
            assertThat(registry.find("jobq.jobs.scheduled").counters()).isEmpty();

            Map<Class<?>, Long> byKind = eventCounts();
            assertThat(byKind.get(JobEvent.Enqueued.class)).isEqualTo(42);
            assertThat(byKind.get(JobEvent.Deduplicated.class)).isEqualTo(1);
            assertThat(byKind.get(JobEvent.Completed.class)).isEqualTo(31);
            assertThat(byKind.get(JobEvent.Failed.class)).isEqualTo(11);
            assertThat(byKind.get(JobEvent.Dead.class)).isEqualTo(10);
            // 20 ok, 10 flaky, 6 bad, 1 dd, 4 slow, 2 ackfail, 2 retryfail, 1 deadfail, 2 hang
            assertThat(byKind.get(JobEvent.Started.class)).isEqualTo(48);

            assertThat(stats.completed()).isEqualTo(31);
            assertThat(stats.failed()).as("/health's failed: failed and dead attempts together")
                    .isEqualTo((long) (countAll("failed") + countAll("dead")));
            assertThat(stats.dead()).isEqualTo(10);
            assertThat(stats.waiting()).isZero();
            assertThat(stats.delayed()).isZero();
            assertThat(stats.inFlight()).as("the two hung jobs").isEqualTo(2);
            assertThat(stats.active()).isEqualTo(2);
            assertThat(registry.find("jobq.queue.dead").gauge().value()).isEqualTo(10);
        } finally {
            jobs.close();
        }
        assertThat(count("hang", "released")).isEqualTo(2);
        assertThat(eventCounts().get(JobEvent.Released.class)).isEqualTo(2);
        assertThat(events).filteredOn(JobEvent.WorkerStopped.class::isInstance)
                .extracting(e -> ((JobEvent.WorkerStopped) e).released()).containsExactly(2);
        assertThat(registry.find("jobq.jobs").counters()).extracting(c -> c.getId().getTag("type"))
                .doesNotContain("nobody-0", "nobody-1", "nobody-2", "nobody-3");
        List<String> outcomes = registry.find("jobq.jobs").counters().stream()
                .map(c -> c.getId().getTag("outcome")).distinct().sorted().toList();
        assertThat(outcomes).containsExactly("completed", "dead", "failed", "released");
    }

    @Test
    void tenThousandUnknownTypesFromAnotherProducerAddNoSeries() {
        // The producer is another JobQueue on the same queue, as another process on a shared one would be:
        // the types its messages carry are not this worker's to bound.
        var shared = MemoryProviderFactory.builder().maxDeadLetters(20_000).build();
        var provider = new ForwardingQueueProvider(shared) {
            @Override
            public void close() {
                // closed once, by the test
            }
        };
        JobQueue producer = JobQueue.builder().provider(provider).mode(dev.jobq.WorkerMode.STANDALONE).build();
        JobQueue worker = JobQueue.builder().provider(provider).concurrency(8).listener(events::add).build();
        var workerLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.jobq.internal.worker");
        var level = workerLog.getLevel();
        workerLog.setLevel(ch.qos.logback.classic.Level.ERROR); // not 10,000 dead-letter warnings in the report
        try {
            worker.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
            new JobQueueMetrics(worker).bindTo(registry);
            int meters = registry.getMeters().size();
            for (int i = 0; i < 10_000; i++) {
                producer.enqueue("report:" + i, i);
            }
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> count(JobQueueMetrics.UNREGISTERED_TYPE, "dead") == 10_000);

            assertThat(registry.getMeters().size()).as("no new series: jobq.jobs of type unregistered, outcome dead, "
                    + "is there at 0 from the bind").isEqualTo(meters);
            assertThat(worker.stats("default").failed()).isEqualTo(10_000);
            assertThat(worker.stats("default").dead()).isEqualTo(10_000);
            assertThat(eventCounts().get(JobEvent.Dead.class)).isEqualTo(10_000);
        } finally {
            workerLog.setLevel(level);
            worker.close();
            producer.close();
            shared.close();
        }
    }
}
