package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.Job;
import dev.jobq.JobEvent;
import dev.jobq.JobHandler;
import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobState;
import dev.jobq.testing.EnqueuedJobs;
import dev.jobq.testing.SettableClock;
import dev.jobq.testing.TestJobContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The recipes of docs/testing.md, as a user writes them: each must work every time, without sleeping. */
class TestingRecipesTest {

    record Email(String to, String subject) {
    }

    record Invoice(String to, int cents) {
    }

    /** The user's handler under test, and what it did. */
    static final class WelcomeEmailHandler implements JobHandler<Email> {
        final List<String> sent = new CopyOnWriteArrayList<>();

        @Override
        public void handle(Job<Email> job, dev.jobq.JobContext context) {
            if (job.payload().to().isBlank()) {
                throw new IllegalStateException("no address");
            }
            context.progress(50);
            sent.add(job.payload().to());
            context.progress(100);
        }
    }

    private static CompletableFuture<JobEvent> outcomeOf(JobQueue jobs) {
        var outcome = new CompletableFuture<JobEvent>();
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Completed || event instanceof JobEvent.Dead) {
                outcome.complete(event);
            }
        });
        return outcome;
    }

    @Test
    @DisplayName("a handler called directly with a TestJobContext: what it reported is recorded")
    void callingTheHandler() {
        var handler = new WelcomeEmailHandler();
        var job = new Job<>("job-1", "email:send", new Email("ada@example.com", "Welcome!"), 1,
                JobOptions.defaults(), Instant.now(), null);
        var context = TestJobContext.of(job);
        handler.handle(job, context);
        assertThat(context.progress()).containsExactly(50, 100);
        assertThat(handler.sent).containsExactly("ada@example.com");
    }

    @Test
    @DisplayName("follow-up jobs a handler enqueues into a queue not started: Enqueued gives their ids, getJob their "
            + "payloads, and starting the queue runs them")
    void followUpJobsAreReadFromAQueueNotStartedThenRun() throws Exception {
        JobHandler<Email> placeOrder = (job, ctx) -> ctx.queue().enqueue("invoice:send",
                new Invoice(job.payload().to(), 4200));
        try (JobQueue jobs = JobQueue.builder().build()) {
            var enqueued = new CopyOnWriteArrayList<JobEvent.Enqueued>();
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Enqueued job) {
                    enqueued.add(job);
                }
            });
            var job = new Job<>("job-1", "order:place", new Email("ada@example.com", "Order 7"), 1,
                    JobOptions.defaults(), Instant.now(), null);

            placeOrder.handle(job, TestJobContext.of(job).withQueue(jobs));

            assertThat(enqueued).singleElement().extracting(JobEvent.Enqueued::type).isEqualTo("invoice:send");
            JobInfo invoice = jobs.getJob(enqueued.get(0).jobId()).orElseThrow();
            assertThat(invoice.state()).isEqualTo(JobState.WAITING);
            assertThat(invoice.payloadJson()).isEqualTo("{\"to\":\"ada@example.com\",\"cents\":4200}");

            var outcome = outcomeOf(jobs);
            var invoiced = new CopyOnWriteArrayList<Invoice>();
            jobs.registerJobHandler("invoice:send", Invoice.class, (sent, ctx) -> invoiced.add(sent.payload()));
            jobs.start();

            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(JobEvent.Completed.class);
            assertThat(invoiced).containsExactly(new Invoice("ada@example.com", 4200));
        }
    }

    @Test
    @DisplayName("what a handler enqueued, read in one line from EnqueuedJobs: payloads bound by the queue's mapper")
    void assertingWhatWasEnqueued() throws Exception {
        record Order(String to, int cents) {
        }
        JobHandler<Order> placeOrder = (job, ctx) -> ctx.queue().enqueue("invoice:send",
                new Invoice(job.payload().to(), job.payload().cents()));
        try (JobQueue jobs = JobQueue.builder().build();
             EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            var order = new Job<>("job-1", "order:place", new Order("ada@example.com", 4200), 1,
                    JobOptions.defaults(), Instant.now(), null);
            placeOrder.handle(order, TestJobContext.of(order).withQueue(jobs));

            assertThat(enqueued.payloads("invoice:send", Invoice.class))
                    .containsExactly(new Invoice("ada@example.com", 4200));
            assertThat(enqueued.all()).singleElement().satisfies(invoice -> {
                assertThat(invoice.type()).isEqualTo("invoice:send");
                assertThat(invoice.heldByScheduler()).isFalse();
                assertThat(jobs.getJob(invoice.id())).map(JobInfo::state).contains(JobState.WAITING);
            });
        }
    }

    @Test
    @DisplayName("a job run through a memory queue: its Completed is awaited, then the handler's effect is there")
    void oneJobThroughAQueue() throws Exception {
        var handler = new WelcomeEmailHandler();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).build()) {
            var outcome = outcomeOf(jobs);
            jobs.registerJobHandler("email:send", Email.class, handler);
            jobs.start();

            String id = jobs.enqueue("email:send", new Email("ada@example.com", "Welcome!"));

            JobEvent done = outcome.get(10, TimeUnit.SECONDS);
            assertThat(done).isInstanceOf(JobEvent.Completed.class);
            assertThat(((JobEvent.Completed) done).jobId()).isEqualTo(id);
            assertThat(handler.sent).containsExactly("ada@example.com");
        }
    }

    @Test
    @DisplayName("many jobs: counting their outcomes, or their states by id, waits until every one is done")
    void manyJobsAreAwaitedByOutcomeOrState() throws Exception {
        var handler = new WelcomeEmailHandler();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).build()) {
            int count = 200;
            var outcomes = new CountDownLatch(count);
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Completed || event instanceof JobEvent.Dead) {
                    outcomes.countDown();
                }
            });
            jobs.registerJobHandler("email:send", Email.class, handler);
            jobs.start();

            List<String> ids = IntStream.range(0, count)
                    .mapToObj(i -> jobs.enqueue("email:send", new Email("user" + i + "@example.com", "Hi")))
                    .toList();

            assertThat(outcomes.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(handler.sent).hasSize(count);
            await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream()
                    .map(id -> jobs.getJob(id).map(JobInfo::state).orElse(null))
                    .allMatch(state -> state == JobState.COMPLETED || state == JobState.DEAD));
            assertThat(jobs.stats("default").completed() + jobs.stats("default").dead()).isEqualTo(count);
        }
    }

    @Test
    @DisplayName("getJob forgets completed jobs beyond maxHistorySize: waiting for each id's state is for up to that "
            + "many jobs, while the outcome count and the stats go on counting")
    void awaitingEachJobsStateIsForAsManyJobsAsTheQueueRemembers() throws Exception {
        var handler = new WelcomeEmailHandler();
        int history = 10; // 1000 by default; a small one keeps the test short
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none())
                .provider("memory", Map.of("maxHistorySize", history)).build()) {
            var outcomes = new CountDownLatch(history + 1);
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Completed || event instanceof JobEvent.Dead) {
                    outcomes.countDown();
                }
            });
            jobs.registerJobHandler("email:send", Email.class, handler);
            jobs.start();

            List<String> ids = IntStream.range(0, history + 1)
                    .mapToObj(i -> jobs.enqueue("email:send", new Email("user" + i + "@example.com", "Hi")))
                    .toList();

            assertThat(outcomes.await(20, TimeUnit.SECONDS)).isTrue();
            // The one that completed first is forgotten (not always the first enqueued: handlers run side by side).
            assertThat(ids.stream().map(jobs::getJob).filter(Optional::isPresent).map(Optional::get)
                    .map(JobInfo::state)).as("the jobs getJob still finds").hasSize(history)
                    .containsOnly(JobState.COMPLETED);
            assertThat(jobs.stats("default").completed()).isEqualTo(history + 1);
        }
    }

    @Test
    @DisplayName("with no backoff, a failing job's attempts run at once and its Dead gives the reason")
    void failuresWithoutBackoff() throws Exception {
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).build()) {
            var outcome = outcomeOf(jobs);
            jobs.registerJobHandler("email:send", Email.class, new WelcomeEmailHandler());
            jobs.start();

            jobs.enqueue("email:send", new Email(" ", "Hi"));

            JobEvent done = outcome.get(10, TimeUnit.SECONDS);
            assertThat(done).isInstanceOfSatisfying(JobEvent.Dead.class, dead -> assertThat(dead.error())
                    .isEqualTo("IllegalStateException: no address (attempt 3 of 3)"));
        }
    }

    @Test
    @DisplayName("a delayed job runs once a SettableClock is moved past its delay")
    void delayWithASettableClock() throws Exception {
        var clock = SettableClock.atEpochOf2026();
        var handler = new WelcomeEmailHandler();
        try (JobQueue jobs = JobQueue.builder().clock(clock).build()) {
            var outcome = outcomeOf(jobs);
            jobs.registerJobHandler("reminder:send", Email.class, handler);
            jobs.start();
            jobs.enqueue("reminder:send", new Email("ada@example.com", "Your trial ends"),
                    EnqueueOptions.delay(Duration.ofHours(3)));
            assertThat(jobs.stats("default").delayed()).isEqualTo(1);

            clock.advance(Duration.ofHours(3));

            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(JobEvent.Completed.class);
            assertThat(handler.sent).containsExactly("ada@example.com");
        }
    }

    @Test
    @DisplayName("on the default backoff, a retry runs once a SettableClock is moved by its Failed event's retryIn: "
            + "1 s plus up to 20 % jitter after the first attempt, not 1 s")
    void aRetryRunsOnceTheClockIsMovedByItsRetryIn() throws Exception {
        var clock = SettableClock.atEpochOf2026();
        var failed = new CompletableFuture<JobEvent.Failed>();
        try (JobQueue jobs = JobQueue.builder().clock(clock).build()) {
            var outcome = outcomeOf(jobs);
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Failed first) {
                    failed.complete(first);
                }
            });
            jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
                if (ctx.attempt() == 1) {
                    throw new IllegalStateException("the mail server is down");
                }
            });
            jobs.start();
            String id = jobs.enqueue("email:send", new Email("ada@example.com", "Welcome!"));

            Duration retryIn = failed.get(10, TimeUnit.SECONDS).retryIn();
            assertThat(retryIn).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
            // DELAYED once the retry is with the queue, so that "not yet, 1 ms before" is asked of the queue itself.
            await().atMost(Duration.ofSeconds(10)).until(() -> jobs.getJob(id).map(JobInfo::state)
                    .orElseThrow() == JobState.DELAYED);
            clock.advance(retryIn.minusMillis(1));
            assertThat(jobs.getJob(id)).as("1 ms before its retryIn").map(JobInfo::state).contains(JobState.DELAYED);

            clock.advance(Duration.ofMillis(1));

            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(JobEvent.Completed.class,
                    done -> assertThat(done.attempt()).isEqualTo(2));
        }
    }

    @Test
    @DisplayName("a retry is due retryIn after its Failed event, also when a SettableClock is moved by retryIn as soon "
            + "as Failed is heard, before the retry reaches the queue")
    void aRetryIsDueRetryInAfterItsFailedEventWhenTheClockMovesAtOnce() throws Exception {
        var clock = SettableClock.atEpochOf2026();
        try (JobQueue jobs = JobQueue.builder().clock(clock).build()) {
            var outcome = outcomeOf(jobs);
            // Moved by the listener itself, on the worker's thread: the earliest a test can hear Failed and move.
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Failed failed) {
                    clock.advance(failed.retryIn());
                }
            });
            jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
                if (ctx.attempt() == 1) {
                    throw new IllegalStateException("the mail server is down");
                }
            });
            jobs.start();
            jobs.enqueue("email:send", new Email("ada@example.com", "Welcome!"));

            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(JobEvent.Completed.class,
                    done -> assertThat(done.attempt()).isEqualTo(2));
        }
    }

    @Test
    @DisplayName("a SettableClock moved on hearing Failed by 1 ms less than retryIn leaves the retry delayed, and runs it "
            + "at the last millisecond: the retry counts from Failed's instant, not from the moved time, nor earlier")
    void aRetryMovedTowardsAtOnceIsDueExactlyRetryInAfterItsFailedEvent() throws Exception {
        var clock = SettableClock.atEpochOf2026();
        var failed = new CompletableFuture<JobEvent.Failed>();
        try (JobQueue jobs = JobQueue.builder().clock(clock).build()) {
            var outcome = outcomeOf(jobs);
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Failed first) {
                    clock.advance(first.retryIn().minusMillis(1));
                    failed.complete(first);
                }
            });
            jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
                if (ctx.attempt() == 1) {
                    throw new IllegalStateException("the mail server is down");
                }
            });
            jobs.start();
            String id = jobs.enqueue("email:send", new Email("ada@example.com", "Welcome!"));

            JobEvent.Failed first = failed.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> jobs.getJob(id).map(JobInfo::state)
                    .orElseThrow() == JobState.DELAYED);
            assertThat(clock.instant()).isEqualTo(first.at().plus(first.retryIn()).minusMillis(1));
            assertThat(jobs.getJob(id)).as("1 ms before its retryIn").map(JobInfo::state).contains(JobState.DELAYED);

            clock.advance(Duration.ofMillis(1));

            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(JobEvent.Completed.class,
                    done -> assertThat(done.attempt()).isEqualTo(2));
        }
    }

    @Test
    @DisplayName("moving a SettableClock past leaseDuration while a handler runs delivers its job again, and the first "
            + "attempt is cancelled at its next heartbeat, its outcome not recorded")
    void movingTheClockPastTheLeaseRunsTheJobAgainAndCancelsTheFirstAttempt() throws Exception {
        var clock = SettableClock.atEpochOf2026();
        var firstStarted = new CountDownLatch(1);
        var firstInterrupted = new CompletableFuture<Boolean>();
        var attempts = new CopyOnWriteArrayList<Integer>();
        var completed = new CopyOnWriteArrayList<Integer>();
        try (JobQueue jobs = JobQueue.builder().clock(clock).provider("memory", Map.of("leaseDuration", "1s")).build()) {
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Completed done) {
                    completed.add(done.attempt());
                }
            });
            var outcome = outcomeOf(jobs);
            jobs.registerJobHandler("report:build", Email.class, (job, ctx) -> {
                attempts.add(ctx.attempt());
                if (ctx.attempt() == 1) {
                    firstStarted.countDown();
                    try {
                        new CountDownLatch(1).await(10, TimeUnit.SECONDS); // never counted down: its interrupt ends it
                        firstInterrupted.complete(false);
                    } catch (InterruptedException e) {
                        firstInterrupted.complete(ctx.isCancelled());
                        throw e;
                    }
                }
            });
            jobs.start();
            jobs.enqueue("report:build", new Email("ada@example.com", "Q3"));
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();

            clock.advance(Duration.ofSeconds(2));

            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(JobEvent.Completed.class,
                    done -> assertThat(done.attempt()).isEqualTo(2));
            assertThat(firstInterrupted.get(10, TimeUnit.SECONDS)).as("the first attempt was interrupted, cancelled")
                    .isTrue();
            assertThat(attempts).containsExactly(1, 2);
            assertThat(completed).containsExactly(2);
        }
    }
}
