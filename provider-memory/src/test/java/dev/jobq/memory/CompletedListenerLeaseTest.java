package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.Failure;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * On a provider that receives in-process, a handler thread leases its next job with the acknowledgement of the one it
 * finished, then announces that one's Completed (docs/semantics.md: a listener blocks). The job it leased must keep
 * its lease while a listener is slow there, or it is delivered again and runs twice.
 */
class CompletedListenerLeaseTest {

    private final WorkerFixture fixture = new WorkerFixture();
    private final CountDownLatch listenerGoesOn = new CountDownLatch(1);

    private final Logger workerLog = (Logger) LoggerFactory.getLogger("dev.jobq.internal.worker");
    private final CapturedLog logged = new CapturedLog();

    @AfterEach
    void closeAll() throws Exception {
        listenerGoesOn.countDown();
        fixture.close();
        workerLog.detachAppender(logged);
    }

    @Test
    @DisplayName("the job leased with an acknowledgement keeps its lease while a listener of that acknowledged job's "
            + "Completed is slow: it is not delivered again to another worker")
    void theNextJobKeepsItsLeaseWhileCompletedIsAnnounced() throws Exception {
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "1s"));
        var aRunning = new CountDownLatch(1);
        var aGoesOn = new CountDownLatch(1);
        var inListener = new CountDownLatch(1);
        var bRunsOnFirst = new AtomicInteger();
        var bRunsOnSecond = new AtomicInteger();

        JobQueue first = fixture.queue(memory, 1, Duration.ofSeconds(5));
        first.registerJobHandler("step", Integer.class, (n, ctx) -> {
            if (n.payload() == 1) {
                aRunning.countDown();
                aGoesOn.await(20, TimeUnit.SECONDS);
            } else {
                bRunsOnFirst.incrementAndGet();
            }
        });
        first.addListener(event -> {
            if (event instanceof JobEvent.Completed completed && bRunsOnFirst.get() == 0
                    && inListener.getCount() == 1) {
                inListener.countDown();
                try {
                    listenerGoesOn.await(20, TimeUnit.SECONDS); // a listener writing to a slow audit store
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        first.start();
        first.enqueue("step", 1);
        assertThat(aRunning.await(10, TimeUnit.SECONDS)).as("job A runs").isTrue();
        String b = first.enqueue("step", 2); // the only permit is A's: the thread leases B with A's acknowledgement
        aGoesOn.countDown();
        assertThat(inListener.await(10, TimeUnit.SECONDS)).as("A's Completed reached the slow listener").isTrue();

        // A second worker on the same queue: B is leased by the first one, and must stay so over several leases.
        JobQueue second = fixture.queue(memory, 1, Duration.ofSeconds(5));
        second.registerJobHandler("step", Integer.class, (job, ctx) -> bRunsOnSecond.incrementAndGet());
        second.start();
        await().during(Duration.ofMillis(3_300)).atMost(Duration.ofSeconds(6))
                .untilAsserted(() -> assertThat(bRunsOnSecond).as("B's runs on the second worker while the first "
                        + "one's listener is slow on A's Completed").hasValue(0));
        listenerGoesOn.countDown();

        await().atMost(EventRecorder.WAIT).until(() -> fixture.events.all(JobEvent.Completed.class).stream()
                .anyMatch(completed -> completed.jobId().equals(b)));
        assertThat(bRunsOnFirst.get() + bRunsOnSecond.get()).as("B's runs").isEqualTo(1);
    }

    @Test
    @DisplayName("a heartbeat of the job leased with an acknowledgement, on its way as that job starts and fails, "
            + "reaches the provider before the failure: it does not extend a lease the failure ended")
    void theNextJobsHeartbeatUnderWayReachesTheProviderBeforeItsFailure() throws Exception {
        List<String> calls = runBWithAHeartbeatOfItHeldBack(true);
        // Before, B's failure went to the provider while that heartbeat was still on its way, which then reached the
        // provider after it: the memory provider refused it (a WARN "could not extend the lease"); a provider that
        // does not order the two extended the lease of B's retry and hid it for a whole lease.
        assertThat(calls).containsExactly("extendLease(B)", "fail(B)");
        assertThat(logged.list).noneSatisfy(event -> assertThat(event.getFormattedMessage())
                .contains("could not extend the lease"));
    }

    @Test
    @DisplayName("a heartbeat of the job leased with an acknowledgement that reaches the provider after that job "
            + "completed and was acknowledged is no warning: the job's lease was not lost, it ended")
    void theNextJobsHeartbeatAfterThatJobCompletedIsNoWarning() throws Exception {
        List<String> calls = runBWithAHeartbeatOfItHeldBack(false);
        assertThat(calls).as("the heartbeat reached the provider after B's acknowledgement, which refused it")
                .containsExactly("acknowledge(B)", "extendLease(B) refused");
        // Before, it said "could not extend the lease of job … leased with the acknowledgement of job …; if it stays
        // lost the job may run twice" at WARN, with a stack trace, for a job that had completed once.
        assertThat(logged.list).noneSatisfy(event -> assertThat(event.getFormattedMessage())
                .contains("could not extend the lease"));
    }

    @Test
    @DisplayName("the job leased with an acknowledgement whose heartbeat finds its lease lost while the acknowledged "
            + "job's Completed is announced is not run here: its other delivery runs it")
    void theNextJobWhoseLeaseIsLostIsNotRun() throws Exception {
        logged.start();
        workerLog.addAppender(logged);
        var aRunning = new CountDownLatch(1);
        var aGoesOn = new CountDownLatch(1);
        var bLeaseLost = new CountDownLatch(1);
        var bId = new AtomicReference<String>();
        List<Integer> bRuns = new CopyOnWriteArrayList<>();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "1s"))) {
            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                if (job.jobId().equals(bId.get()) && job.attempt() == 1) {
                    bLeaseLost.countDown();
                    // As after a pause longer than the lease: the job was delivered again elsewhere.
                    throw new LeaseLostException("the lease of job " + job.jobId() + " is no longer held (test)");
                }
                super.extendLease(job, extension);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("step", Integer.class, (n, ctx) -> {
            if (n.payload() == 1) {
                aRunning.countDown();
                aGoesOn.await(20, TimeUnit.SECONDS);
            } else {
                bRuns.add(ctx.attempt());
            }
        });
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Completed completed && !completed.jobId().equals(bId.get())) {
                // Slow on A's Completed until the heartbeat that found B's lease lost is done with it (its WARN): a
                // latch counted down in extendLease let this thread go on while that heartbeat was still constructing
                // its exception, and take B first, one run in a few.
                await().atMost(Duration.ofSeconds(20)).until(() -> logged.list.stream()
                        .anyMatch(line -> line.getFormattedMessage().contains("it is not run here")));
            }
        });
        jobs.start();
        jobs.enqueue("step", 1);
        assertThat(aRunning.await(10, TimeUnit.SECONDS)).as("job A runs").isTrue();
        bId.set(jobs.enqueue("step", 2));
        aGoesOn.countDown();

        assertThat(bLeaseLost.await(10, TimeUnit.SECONDS)).as("a heartbeat of B found its lease lost").isTrue();
        await().atMost(EventRecorder.WAIT).until(() -> fixture.events.all(JobEvent.Completed.class).stream()
                .anyMatch(completed -> completed.jobId().equals(bId.get())));
        // Before, the thread ran B's delivery 1 all the same, once A's Completed was announced: beside the delivery
        // the provider had given to another worker, as a job received and not yet started whose lease is found lost
        // is not (its attempt never starts).
        assertThat(bRuns).as("the deliveries of B whose handler ran").containsExactly(2);
    }

    @Test
    @DisplayName("a heartbeat of a job leased with an acknowledgement that hangs in the provider holds back no later "
            + "job's failure on the same thread: only that job's own")
    void aHungHeartbeatOfOneLeasedJobDoesNotHoldBackTheFailuresOfLaterJobs() throws Exception {
        logged.start();
        workerLog.addAppender(logged);
        var aRunning = new CountDownLatch(1);
        var aGoesOn = new CountDownLatch(1);
        var heartbeatHung = new CountDownLatch(1);
        var heartbeatGoesOn = new CountDownLatch(1);
        var bId = new AtomicReference<String>();
        var cThrew = new AtomicLong();
        var cFailed = new AtomicLong();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "3s"))) {
            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                if (job.jobId().equals(bId.get()) && heartbeatHung.getCount() == 1) {
                    heartbeatHung.countDown(); // the one heartbeat of B the provider never answers (a hung socket)
                    try {
                        heartbeatGoesOn.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
                super.extendLease(job, extension);
            }

            @Override
            public void fail(ReceivedJob job, Failure failure) {
                cFailed.compareAndSet(0, System.nanoTime());
                super.fail(job, failure);
            }
        };
        try {
            JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
            jobs.registerJobHandler("step", Integer.class, (n, ctx) -> {
                if (n.payload() == 1) {
                    aRunning.countDown();
                    aGoesOn.await(20, TimeUnit.SECONDS);
                } else if (n.payload() == 3) {
                    cThrew.set(System.nanoTime());
                    throw new IllegalStateException("C fails");
                }
            });
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Completed completed && !completed.jobId().equals(bId.get())) {
                    try {
                        // Slow on A's Completed until the heartbeat of B (leased with A's acknowledgement) hangs.
                        heartbeatHung.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            jobs.start();
            jobs.enqueue("step", 1);
            assertThat(aRunning.await(10, TimeUnit.SECONDS)).as("job A runs").isTrue();
            bId.set(jobs.enqueue("step", 2));
            // the one permit's thread leases B with A's acknowledgement, then C with B's
            String c = jobs.enqueue("step", 3, EnqueueOptions.builder().maxAttempts(1).build());
            aGoesOn.countDown();

            fixture.events.awaitCount(JobEvent.Dead.class, 1);
            assertThat(fixture.events.all(JobEvent.Dead.class)).extracting(JobEvent.Dead::jobId).containsExactly(c);
            assertThat(heartbeatGoesOn.getCount()).as("B's heartbeat still hangs").isEqualTo(1);
            // Before, C's failure waited 2.5 s for B's heartbeat (the thread's count of them), and said so at WARN.
            assertThat(logged.list).noneSatisfy(event -> assertThat(event.getFormattedMessage())
                    .contains("a heartbeat of it has been under way"));
            assertThat(Duration.ofNanos(cFailed.get() - cThrew.get())).as("from C's throw to its fail()")
                    .isLessThan(Duration.ofSeconds(2));
        } finally {
            heartbeatGoesOn.countDown();
        }
    }

    /**
     * Runs A, then B leased with A's acknowledgement; a listener is slow on A's Completed until a heartbeat of B is in
     * the provider's extendLease, which holds on for a second or until B's settle (its failure, or its acknowledgement)
     * reached the provider, whichever comes first: a heartbeat thread slow to make its call. B's first attempt fails
     * when {@code bFails}, else completes. Returns the provider calls of B's first delivery, in their order.
     */
    private List<String> runBWithAHeartbeatOfItHeldBack(boolean bFails) throws Exception {
        logged.start();
        workerLog.addAppender(logged);
        var aRunning = new CountDownLatch(1);
        var aGoesOn = new CountDownLatch(1);
        var heartbeatOnItsWay = new CountDownLatch(1);
        var settleReached = new CountDownLatch(1);
        var bId = new AtomicReference<String>();
        List<String> calls = new CopyOnWriteArrayList<>();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "3s"))) {
            private boolean isB(ReceivedJob job) {
                return job.jobId().equals(bId.get()) && job.attempt() == 1;
            }

            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                if (isB(job) && heartbeatOnItsWay.getCount() == 1) {
                    heartbeatOnItsWay.countDown();
                    try {
                        settleReached.await(1, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    try {
                        super.extendLease(job, extension);
                        calls.add("extendLease(B)");
                    } catch (RuntimeException e) {
                        calls.add("extendLease(B) refused");
                        throw e;
                    }
                    return;
                }
                super.extendLease(job, extension);
            }

            @Override
            public void fail(ReceivedJob job, Failure failure) {
                if (isB(job)) {
                    calls.add("fail(B)");
                    settleReached.countDown();
                }
                super.fail(job, failure);
            }

            @Override
            public void acknowledge(ReceivedJob job) {
                super.acknowledge(job);
                if (isB(job)) {
                    calls.add("acknowledge(B)");
                    settleReached.countDown();
                }
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("step", Integer.class, (n, ctx) -> {
            if (n.payload() == 1) {
                aRunning.countDown();
                aGoesOn.await(20, TimeUnit.SECONDS);
            } else if (bFails && n.attempt() == 1) {
                throw new IllegalStateException("B's first attempt fails");
            }
        });
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Completed completed && !completed.jobId().equals(bId.get())) {
                try {
                    // Slow on A's Completed until the heartbeat of B (leased with A's acknowledgement) is on its way.
                    heartbeatOnItsWay.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        jobs.start();
        jobs.enqueue("step", 1);
        assertThat(aRunning.await(10, TimeUnit.SECONDS)).as("job A runs").isTrue();
        bId.set(jobs.enqueue("step", 2, EnqueueOptions.builder().maxAttempts(2).build()));
        aGoesOn.countDown();

        assertThat(heartbeatOnItsWay.await(10, TimeUnit.SECONDS)).as("a heartbeat of B is on its way").isTrue();
        await().atMost(EventRecorder.WAIT).until(() -> fixture.events.all(JobEvent.Completed.class).stream()
                .anyMatch(completed -> completed.jobId().equals(bId.get())));
        await().atMost(EventRecorder.WAIT).until(() -> calls.size() == 2);
        return calls;
    }
}
