package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.JobState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Public calls made at the same instant from many threads, as web request threads make them: each
 * race lined up with a barrier and repeated, every wait bounded, the end state checked.
 */
class ConcurrentCallsTest {

    private static final int THREADS = 8;
    private static final long WAIT_S = 20;

    private final ExecutorService callers = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopCallers() throws InterruptedException {
        callers.shutdownNow();
        assertThat(callers.awaitTermination(WAIT_S, TimeUnit.SECONDS)).as("caller threads ended").isTrue();
    }

    /** Runs {@code call} on THREADS threads released together; their results in thread order. */
    private <T> List<T> together(CyclicBarrier barrier, CallAt<T> call) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(callers.submit(() -> {
                barrier.await(WAIT_S, TimeUnit.SECONDS);
                return call.run(thread);
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(WAIT_S, TimeUnit.SECONDS));
        }
        return results;
    }

    @FunctionalInterface
    interface CallAt<T> {
        T run(int thread) throws Exception;
    }

    private static EnqueueOptions key(String key) {
        return EnqueueOptions.builder().deduplicationKey(key).build();
    }

    @Test
    @DisplayName("threads enqueueing one deduplication key at once (enqueue and enqueueAll) make one job, and each "
            + "caller gets its id; one Enqueued and the rest Deduplicated")
    void oneKeyFromManyThreadsMakesOneJob() throws Exception {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).build()) {
            var barrier = new CyclicBarrier(THREADS);
            int rounds = 200;
            for (int round = 0; round < rounds; round++) {
                String key = "invoice:" + round;
                List<String> ids = together(barrier, thread -> thread % 2 == 0
                        ? jobs.enqueue("invoice:send", round(key), key(key))
                        : jobs.enqueueAll("invoice:send", List.of(round(key)), key(key)).getFirst());
                assertThat(new HashSet<>(ids)).as("ids of round %d", round).hasSize(1);
            }
            assertThat(jobs.stats("default").waiting()).isEqualTo(rounds);
            assertThat(events.all(JobEvent.Enqueued.class)).hasSize(rounds);
            assertThat(events.all(JobEvent.Deduplicated.class)).hasSize(rounds * (THREADS - 1));
            Map<String, String> enqueuedByKey = new ConcurrentHashMap<>();
            for (JobEvent.Enqueued e : events.all(JobEvent.Enqueued.class)) {
                enqueuedByKey.put(jobs.getJob(e.jobId()).orElseThrow().options().deduplicationKey(), e.jobId());
            }
            for (JobEvent.Deduplicated d : events.all(JobEvent.Deduplicated.class)) {
                assertThat(d.jobId()).isEqualTo(enqueuedByKey.get(d.deduplicationKey()));
            }
        }
    }

    private static String round(String key) {
        return key;
    }

    @Test
    @DisplayName("enqueues of a key racing the completion of the job that holds it get that job until it has "
            + "completed, and one new job after; none gets a job whose Completed was already seen")
    void keyIsFreedExactlyWhenItsJobCompletes() throws Exception {
        var completed = ConcurrentHashMap.<String>newKeySet();
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().concurrency(2).listener(events).listener(event -> {
            if (event instanceof JobEvent.Completed done) {
                completed.add(done.jobId());
            }
        }).build()) {
            var release = new AtomicReferenceLatch();
            var releaseNext = new AtomicReferenceLatch();
            var started = new AtomicReferenceLatch();
            jobs.registerJobHandler("cart:expire", String.class, (job, ctx) -> {
                if (job.payload().startsWith("first:")) {
                    started.get().countDown();
                    assertThat(release.get().await(WAIT_S, TimeUnit.SECONDS)).isTrue();
                } else {
                    // The key's next job runs once the round has its ids: else a third job could take the key.
                    assertThat(releaseNext.get().await(WAIT_S, TimeUnit.SECONDS)).isTrue();
                }
            });
            jobs.start();
            var barrier = new CyclicBarrier(THREADS + 1);
            int rounds = 100;
            int newJobsSeen = 0;
            for (int round = 0; round < rounds; round++) {
                String key = "cart:" + round;
                started.reset();
                release.reset();
                releaseNext.reset();
                String first = jobs.enqueue("cart:expire", "first:" + key, key(key));
                assertThat(started.get().await(WAIT_S, TimeUnit.SECONDS)).isTrue();
                var seenCompletedBefore = new AtomicBoolean[THREADS];
                CountDownLatch finish = release.get();
                Future<?> finisher = callers.submit(() -> {
                    barrier.await(WAIT_S, TimeUnit.SECONDS);
                    finish.countDown();
                    return null;
                });
                List<String> ids = new ArrayList<>();
                List<Future<String>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS - 1; t++) {
                    int thread = t;
                    seenCompletedBefore[t] = new AtomicBoolean();
                    futures.add(callers.submit(() -> {
                        barrier.await(WAIT_S, TimeUnit.SECONDS);
                        seenCompletedBefore[thread].set(completed.contains(first));
                        return jobs.enqueue("cart:expire", key, key(key));
                    }));
                }
                barrier.await(WAIT_S, TimeUnit.SECONDS);
                finisher.get(WAIT_S, TimeUnit.SECONDS);
                for (Future<String> f : futures) {
                    ids.add(f.get(WAIT_S, TimeUnit.SECONDS));
                }
                Set<String> others = new HashSet<>(ids);
                others.remove(first);
                assertThat(others).as("new jobs of key %s", key).hasSizeLessThanOrEqualTo(1);
                for (int t = 0; t < THREADS - 1; t++) {
                    if (seenCompletedBefore[t].get()) {
                        assertThat(ids.get(t)).as("an enqueue begun after job %s's Completed", first).isNotEqualTo(first);
                    }
                }
                // Let the new job (if any) run through, and wait until the key is free again.
                releaseNext.get().countDown();
                if (!others.isEmpty()) {
                    newJobsSeen++;
                    String second = others.iterator().next();
                    await().atMost(Duration.ofSeconds(WAIT_S)).pollInterval(Duration.ofMillis(1)).until(() -> completed.contains(second));
                }
                await().atMost(Duration.ofSeconds(WAIT_S)).pollInterval(Duration.ofMillis(1)).until(() -> completed.contains(first));
                // Once the Completed of the key's jobs has been seen, the key is free (the probe has no handler: it dies).
                String after = jobs.enqueue("cart:expire:probe", key, key(key));
                assertThat(after).isNotEqualTo(first).isNotIn(others);
                await().atMost(Duration.ofSeconds(WAIT_S)).pollInterval(Duration.ofMillis(1))
                        .until(() -> jobs.getJob(after).orElseThrow().state() == JobState.DEAD);
                // Once it has died, the key is free again too.
                String afterDead = jobs.enqueue("cart:expire:probe", key, key(key));
                assertThat(afterDead).isNotEqualTo(after);
                await().atMost(Duration.ofSeconds(WAIT_S)).pollInterval(Duration.ofMillis(1))
                        .until(() -> jobs.getJob(afterDead).orElseThrow().state() == JobState.DEAD);
            }
            // The completion came before some enqueues in most rounds of trial runs (90 of 100), after all in the rest.
            assertThat(newJobsSeen).as("rounds where the key was freed during the race").isPositive();
            assertThat(events.all(JobEvent.Completed.class)).hasSize(rounds + newJobsSeen);
            assertThat(events.all(JobEvent.Enqueued.class)).hasSize(3 * rounds + newJobsSeen);
            assertThat(events.all(JobEvent.Deduplicated.class)).hasSize(rounds * (THREADS - 1) - newJobsSeen);
        }
    }

    /** A latch that can be swapped for a fresh one between rounds. */
    private static final class AtomicReferenceLatch {
        private volatile CountDownLatch latch = new CountDownLatch(1);

        CountDownLatch get() {
            return latch;
        }

        void reset() {
            latch = new CountDownLatch(1);
        }
    }

    private static final Pattern DROPPED = Pattern.compile("closed with (\\d+) unfinished job");

    @Test
    @DisplayName("close() racing enqueue and enqueueAll: each call returns ids whose jobs ran or are counted as "
            + "left in close()'s WARN, or throws 'this JobQueue is closed' having enqueued nothing; no thread left")
    void closeRacingEnqueuesLosesNoAcceptedJob() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(MemoryQueueProvider.class);
        var appender = new CapturedLog();
        appender.start();
        logger.addAppender(appender);
        try {
            int rounds = 200;
            for (int round = 0; round < rounds; round++) {
                appender.list.clear();
                closeRacingEnqueues(round, appender);
            }
        } finally {
            logger.detachAppender(appender);
        }
    }

    private void closeRacingEnqueues(int round, CapturedLog appender) throws Exception {
        var events = new EventRecorder();
        var ran = ConcurrentHashMap.<String>newKeySet();
        JobQueue jobs = JobQueue.builder().concurrency(2).shutdownTimeout(Duration.ofSeconds(10)).listener(events)
                .build();
        jobs.registerJobHandler("mail:send", Integer.class, (job, ctx) -> ran.add(job.id()));
        jobs.start();
        var barrier = new CyclicBarrier(THREADS);
        var unexpected = new CopyOnWriteArrayList<Throwable>();
        var refused = new AtomicInteger();
        List<List<String>> accepted = together(barrier, thread -> {
            if (thread == 0) {
                jobs.close();
                return List.<String>of();
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                try {
                    if (i % 2 == 0) {
                        ids.add(jobs.enqueue("mail:send", i));
                    } else {
                        ids.addAll(jobs.enqueueAll("mail:send", List.of(i, i + 1)));
                    }
                } catch (JobQueueException e) {
                    if (!"this JobQueue is closed; build a new one".equals(e.getMessage())) {
                        unexpected.add(e);
                    }
                    refused.incrementAndGet();
                } catch (RuntimeException e) {
                    unexpected.add(e);
                }
            }
            return ids;
        });
        jobs.close();
        assertThat(unexpected).as("round %d", round).isEmpty();
        List<String> ids = accepted.stream().flatMap(List::stream).toList();
        assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
        assertThat(events.all(JobEvent.Enqueued.class)).extracting(JobEvent.Enqueued::jobId)
                .as("an Enqueued for each id returned, and only those").containsExactlyInAnyOrderElementsOf(ids);
        int left = 0;
        for (ILoggingEvent log : appender.list) {
            Matcher m = DROPPED.matcher(log.getFormattedMessage());
            if (m.find()) {
                left += Integer.parseInt(m.group(1));
            }
        }
        long notRun = ids.stream().filter(id -> !ran.contains(id)).count();
        assertThat(left).as("jobs accepted but not run are those close() reports as left (round %d)", round)
                .isEqualTo((int) notRun);
        for (String id : ids) {
            JobState state = jobs.getJob(id).orElseThrow().state();
            assertThat(state).isIn(JobState.COMPLETED, JobState.WAITING);
            assertThat(state == JobState.COMPLETED).isEqualTo(ran.contains(id));
        }
        assertThat(events.all(JobEvent.Completed.class)).hasSize(ran.size());
        assertNoJobqThreadLeft(round);
    }

    /**
     * The watchdog's timer has ended when close() returns (it is waited for); the heartbeat and timeout lanes,
     * shut down but not waited for, end just after: bounded.
     */
    private static void assertNoJobqThreadLeft(int round) {
        assertThat(jobqThreads()).as("watchdog threads when close() has returned (round %d)", round)
                .noneMatch(name -> name.startsWith("jobq-watchdog-"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .untilAsserted(() -> assertThat(jobqThreads()).as("jobq threads after close (round %d)", round).isEmpty());
    }

    private static List<String> jobqThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("jobq-")).toList();
    }

    @Test
    @DisplayName("start() from two threads starts one worker; start() racing close() either throws 'closed' or "
            + "starts a worker that close() stops; a second close() racing the first returns after it; no thread left")
    void startAndCloseRacing() throws Exception {
        int rounds = 200;
        int startsRefused = 0;
        for (int round = 0; round < rounds; round++) {
            var events = new EventRecorder();
            var ran = ConcurrentHashMap.<String>newKeySet();
            JobQueue jobs = JobQueue.builder().concurrency(2).listener(events).build();
            jobs.registerJobHandler("ping", Integer.class, (job, ctx) -> ran.add(job.id()));
            String id = jobs.enqueue("ping", round);
            var barrier = new CyclicBarrier(THREADS);
            var closedSeen = new AtomicInteger();
            var unexpected = new CopyOnWriteArrayList<Throwable>();
            List<String> outcome = together(barrier, thread -> {
                try {
                    if (thread < 4) {
                        jobs.start();
                        return "started";
                    }
                    if (thread < 6) {
                        jobs.registerJobHandler("ping:" + thread, Integer.class, (job, ctx) -> { });
                        return "registered";
                    }
                    jobs.close();
                    return "closed";
                } catch (JobQueueException e) {
                    if (!"this JobQueue is closed; build a new one".equals(e.getMessage())) {
                        unexpected.add(e);
                    }
                    closedSeen.incrementAndGet();
                    return "refused";
                } catch (RuntimeException e) {
                    unexpected.add(e);
                    return "failed";
                }
            });
            assertThat(unexpected).as("round %d", round).isEmpty();
            assertThat(outcome.subList(6, 8)).containsOnly("closed");
            long starts = outcome.subList(0, 4).stream().filter("started"::equals).count();
            if (starts == 0) {
                startsRefused++;
            }
            assertThat(events.all(JobEvent.WorkerStarted.class)).as("workers started, round %d", round)
                    .hasSizeLessThanOrEqualTo(1);
            assertThat(events.all(JobEvent.WorkerStopped.class)).hasSameSizeAs(events.all(JobEvent.WorkerStarted.class));
            assertThat(ran.size()).isLessThanOrEqualTo(1);
            JobState state = jobs.getJob(id).orElseThrow().state();
            assertThat(state).isIn(JobState.COMPLETED, JobState.WAITING);
            assertNoJobqThreadLeft(round);
        }
        assertThat(startsRefused).isLessThan(rounds);
    }
}
