package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jobq.EnqueueOptions;
import dev.jobq.Job;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobRejectedException;
import dev.jobq.testing.EnqueuedJob;
import dev.jobq.testing.EnqueuedJobs;
import dev.jobq.testing.SettableClock;
import dev.jobq.testing.TestJobContext;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link EnqueuedJobs} on a memory queue: what it records of the jobs enqueued, and what it leaves out. */
class EnqueuedJobsTest {

    record Email(String to, String subject) {
    }

    record Invoice(String to, int cents) {
    }

    private final SettableClock clock = SettableClock.atEpochOf2026();

    @Test
    @DisplayName("on a queue not started: each job enqueued, in order, with its id, type, queue, due time, options, "
            + "payload as enqueued and trace id; nothing runs")
    void recordsEachJobEnqueuedOnAQueueNotStarted() {
        try (JobQueue jobs = JobQueue.builder().clock(clock).queue("mail", "memory", Map.of()).build();
             EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            var heard = new CopyOnWriteArrayList<JobEvent.Enqueued>();
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Enqueued job) {
                    heard.add(job);
                }
            });
            Instant now = clock.instant();

            String welcome = jobs.enqueue("email:send", new Email("ada@example.com", "Welcome!"),
                    EnqueueOptions.builder().queue("mail").maxAttempts(5).traceId("trace-1").build());
            String later = jobs.enqueue("email:send", new Email("bob@example.com", "Your trial ends"),
                    EnqueueOptions.delay(Duration.ofHours(3)));
            List<String> invoices = jobs.enqueueAll("invoice:send",
                    List.of(new Invoice("ada@example.com", 4200), new Invoice("bob@example.com", 99)));
            String bare = jobs.enqueue("cache:flush", null);

            assertThat(enqueued.all()).containsExactly(
                    new EnqueuedJob(welcome, "email:send", "mail", now, false,
                            new JobOptions(5, JobOptions.DEFAULT_TIMEOUT, 0, null, "mail"),
                            "{\"to\":\"ada@example.com\",\"subject\":\"Welcome!\"}", "trace-1"),
                    new EnqueuedJob(later, "email:send", "default", now.plus(Duration.ofHours(3)), false,
                            JobOptions.defaults(), "{\"to\":\"bob@example.com\",\"subject\":\"Your trial ends\"}",
                            null),
                    new EnqueuedJob(invoices.get(0), "invoice:send", "default", now, false, JobOptions.defaults(),
                            "{\"to\":\"ada@example.com\",\"cents\":4200}", null),
                    new EnqueuedJob(invoices.get(1), "invoice:send", "default", now, false, JobOptions.defaults(),
                            "{\"to\":\"bob@example.com\",\"cents\":99}", null),
                    new EnqueuedJob(bare, "cache:flush", "default", now, false, JobOptions.defaults(), "null", null));
            assertThat(enqueued.ofType("email:send")).extracting(EnqueuedJob::id).containsExactly(welcome, later);
            assertThat(enqueued.payloads("email:send", Email.class)).containsExactly(
                    new Email("ada@example.com", "Welcome!"), new Email("bob@example.com", "Your trial ends"));
            assertThat(enqueued.payloads("invoice:send", Invoice.class)).containsExactly(
                    new Invoice("ada@example.com", 4200), new Invoice("bob@example.com", 99));
            assertThat(enqueued.payloads("cache:flush", Email.class)).containsExactly((Email) null);
            assertThat(enqueued.payloads("report:build", Email.class)).isEmpty();
            assertThat(heard).as("the queue's other listeners hear each Enqueued as before")
                    .extracting(JobEvent.Enqueued::jobId).containsExactly(welcome, later, invoices.get(0),
                            invoices.get(1), bare);
            assertThat(jobs.stats("default").waiting() + jobs.stats("default").delayed()).isEqualTo(4);
        }
    }

    @Test
    @DisplayName("payloads are bound as a handler's are, by the queue's own mapper: a date written as text reads back")
    void payloadsAreBoundByTheQueuesMapper() {
        record Reminder(String to, Instant at) {
        }
        try (JobQueue jobs = JobQueue.builder().build(); EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            var reminder = new Reminder("ada@example.com", Instant.parse("2026-03-02T09:30:00Z"));

            jobs.enqueue("reminder:send", reminder);

            assertThat(enqueued.all()).singleElement().extracting(EnqueuedJob::payloadJson)
                    .isEqualTo("{\"to\":\"ada@example.com\",\"at\":\"2026-03-02T09:30:00Z\"}");
            assertThat(enqueued.payloads("reminder:send", Reminder.class)).containsExactly(reminder);
        }
    }

    @Test
    @DisplayName("a generic payload, as a handler registered with a TypeReference is given it, is read with one too")
    void genericPayloadsAreReadWithATypeReference() {
        try (JobQueue jobs = JobQueue.builder().build(); EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            jobs.enqueue("email:batch", List.of(new Email("ada@example.com", "Hi"), new Email("bob@example.com", "Yo")));

            assertThat(enqueued.payloads("email:batch", new TypeReference<List<Email>>() { })).containsExactly(
                    List.of(new Email("ada@example.com", "Hi"), new Email("bob@example.com", "Yo")));

            String id = jobs.enqueue("email:batch", List.of("not an email"));
            assertThatThrownBy(() -> enqueued.payloads("email:batch", new TypeReference<List<Email>>() { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the payload of job " + id + " (type 'email:batch') cannot be read as "
                            + "java.util.List<" + Email.class.getName() + ">: ");
        }
    }

    /** A helper as a test suite writes it, generic in the payload class: Java erases T from the TypeReference. */
    private static <T> List<List<T>> batches(EnqueuedJobs enqueued, String type) {
        return enqueued.payloads(type, new TypeReference<List<T>>() { });
    }

    @Test
    @DisplayName("a TypeReference made in a generic method (List<T>) is refused, as registering a handler with it is, "
            + "not read as maps")
    void aTypeReferenceWithATypeVariableIsRefused() {
        try (JobQueue jobs = JobQueue.builder().build(); EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            jobs.enqueue("email:batch", List.of(new Email("ada@example.com", "Hi")));

            assertThatThrownBy(() -> EnqueuedJobsTest.<Email>batches(enqueued, "email:batch"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("payloads of type 'email:batch': the payload type java.util.List<T> names the type "
                            + "variable T, which Java erases, so Jackson would read it as java.lang.Object and the "
                            + "list would hold that instead of the payload class; create the TypeReference where the "
                            + "type is known, such as new TypeReference<List<Order>>() { }, and pass it to the "
                            + "generic method");
        }
    }

    @Test
    @DisplayName("a payload that cannot be read as the class asked for: the error names the job, its type, the class "
            + "and the payload")
    void aPayloadThatCannotBindNamesTheJobTypeAndClass() {
        try (JobQueue jobs = JobQueue.builder().build(); EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            jobs.enqueue("invoice:send", new Invoice("ada@example.com", 4200));
            String id = jobs.enqueue("invoice:send", Map.of("to", "bob@example.com", "cents", "lots"));

            assertThatThrownBy(() -> enqueued.payloads("invoice:send", Invoice.class))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the payload of job " + id + " (type 'invoice:send') cannot be read as "
                            + Invoice.class.getName() + ": ")
                    .hasMessageContaining("\"lots\"")
                    .hasMessageEndingWith("; its payload: " + enqueued.all().get(1).payloadJson());
        }
    }

    @Test
    @DisplayName("an enqueue that returned the pending job holding its deduplication key records no second job")
    void aDeduplicatedEnqueueIsNotRecordedAgain() {
        try (JobQueue jobs = JobQueue.builder().build(); EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            var keyed = EnqueueOptions.builder().deduplicationKey("welcome-ada").build();

            String first = jobs.enqueue("email:send", new Email("ada@example.com", "Welcome!"), keyed);
            String again = jobs.enqueue("email:send", new Email("ada@example.com", "Welcome again!"), keyed);

            assertThat(again).isEqualTo(first);
            assertThat(enqueued.all()).extracting(EnqueuedJob::id).containsExactly(first);
            assertThat(enqueued.payloads("email:send", Email.class))
                    .containsExactly(new Email("ada@example.com", "Welcome!"));
        }
    }

    @Test
    @DisplayName("an enqueue refused with an exception records nothing, enqueueAll's none of its jobs")
    void aRefusedEnqueueIsNotRecorded() {
        try (JobQueue jobs = JobQueue.builder().build(); EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            assertThatThrownBy(() -> jobs.enqueue("email:send", new Email("a", "b"), EnqueueOptions.builder()
                    .queue("nowhere").build())).isInstanceOf(JobRejectedException.class);
            assertThatThrownBy(() -> jobs.enqueue(" ", new Email("a", "b")))
                    .isInstanceOf(IllegalArgumentException.class);
            var unwritable = new Object(); // Jackson writes no bean without properties
            assertThatThrownBy(() -> jobs.enqueueAll("email:send", Arrays.asList(new Email("a", "b"), unwritable)))
                    .isInstanceOf(JobRejectedException.class);

            assertThat(enqueued.all()).isEmpty();
        }
    }

    @Test
    @DisplayName("on a started queue: a handler's follow-up jobs through ctx.queue() are recorded, and every payload "
            + "stays readable after its job ran and the queue forgot it")
    void followUpJobsOnAStartedQueueAreRecordedAndOutliveTheQueuesHistory() throws Exception {
        int orders = 5;
        try (JobQueue jobs = JobQueue.builder().provider("memory", Map.of("maxHistorySize", 1)).build();
             EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            // Each order's Completed as well as each invoice's: an invoice is recorded when the enqueue call in the
            // order's handler announces it, and another handler thread can run it to its Completed before that.
            var placedAndInvoiced = new CountDownLatch(2 * orders);
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Completed) {
                    placedAndInvoiced.countDown();
                }
            });
            jobs.registerJobHandler("order:place", Email.class, (job, ctx) -> ctx.queue().enqueue("invoice:send",
                    new Invoice(job.payload().to(), 4200)));
            jobs.registerJobHandler("invoice:send", Invoice.class, (job, ctx) -> { });
            jobs.start();

            List<String> placed = IntStream.range(0, orders)
                    .mapToObj(i -> jobs.enqueue("order:place", new Email("user" + i + "@example.com", "Order")))
                    .toList();

            assertThat(placedAndInvoiced.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(jobs.getJob(placed.get(0))).as("the first order, forgotten by the queue").isEmpty();
            assertThat(enqueued.ofType("order:place")).extracting(EnqueuedJob::id).containsExactlyElementsOf(placed);
            assertThat(enqueued.payloads("invoice:send", Invoice.class)).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, orders).mapToObj(i -> new Invoice("user" + i + "@example.com", 4200)).toList());
        }
    }

    @Test
    @DisplayName("a handler called with TestJobContext.withQueue(jobs): its follow-up job is recorded, and waits")
    void followUpJobsOfAHandlerCalledDirectlyAreRecorded() throws Exception {
        try (JobQueue jobs = JobQueue.builder().build(); EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            var job = new Job<>("job-1", "order:place", new Email("ada@example.com", "Order 7"), 1,
                    JobOptions.defaults(), Instant.now(), null);
            dev.jobq.JobHandler<Email> placeOrder = (order, ctx) -> ctx.queue().enqueue("invoice:send",
                    new Invoice(order.payload().to(), 4200));

            placeOrder.handle(job, TestJobContext.of(job).withQueue(jobs));

            assertThat(enqueued.payloads("invoice:send", Invoice.class))
                    .containsExactly(new Invoice("ada@example.com", 4200));
            assertThat(jobs.stats("default").waiting()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a dead letter redriven is announced as Enqueued but is not recorded: no enqueue call made it")
    void aRedrivenDeadLetterIsNotRecorded() throws Exception {
        try (JobQueue jobs = JobQueue.builder().build(); EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            var dead = new CompletableFuture<String>();
            var enqueuedEvents = new CopyOnWriteArrayList<String>();
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Dead job) {
                    dead.complete(job.jobId());
                } else if (event instanceof JobEvent.Enqueued job) {
                    enqueuedEvents.add(job.jobId());
                }
            });
            jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
                throw new dev.jobq.NonRetryableJobException("no such address");
            });
            jobs.start();
            String id = jobs.enqueue("email:send", new Email("nobody@example.com", "Hi"));
            assertThat(dead.get(10, TimeUnit.SECONDS)).isEqualTo(id);

            assertThat(jobs.deadLetters("default").orElseThrow().redrive(id)).isTrue();

            assertThat(enqueuedEvents).as("Enqueued, at the enqueue and at the redrive").containsExactly(id, id);
            assertThat(enqueued.all()).extracting(EnqueuedJob::id).containsExactly(id);
        }
    }

    @Test
    @DisplayName("close() stops recording, keeps what was recorded, and may be called again; clear() forgets it")
    void closeStopsRecordingAndClearForgets() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            var enqueued = EnqueuedJobs.recording(jobs);
            var other = EnqueuedJobs.recording(jobs);
            jobs.enqueue("email:send", new Email("ada@example.com", "1"));
            other.clear();
            String second = jobs.enqueue("email:send", new Email("bob@example.com", "2"));

            enqueued.close();
            jobs.enqueue("email:send", new Email("cy@example.com", "3"));
            enqueued.close();

            assertThat(enqueued.payloads("email:send", Email.class)).containsExactly(
                    new Email("ada@example.com", "1"), new Email("bob@example.com", "2"));
            assertThat(other.all()).as("another recorder of the queue goes on, from its clear()").hasSize(2)
                    .first().extracting(EnqueuedJob::id).isEqualTo(second);
            other.close();
        }
    }

    @Test
    @DisplayName("an assertion on the records that fails shows a large payload's start and its length, not all of it")
    void aFailedAssertionShowsALargePayloadShortened() {
        try (JobQueue jobs = JobQueue.builder().build();
             EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            String report = "r".repeat(100_000);
            jobs.enqueue("report:mail", new Email("ada@example.com", report));

            assertThatThrownBy(() -> assertThat(enqueued.all()).isEmpty())
                    .isInstanceOf(AssertionError.class)
                    .satisfies(failure -> assertThat(failure.getMessage().length()).as("the failure's length")
                            .isLessThan(2_000))
                    .hasMessageContaining("report:mail")
                    .hasMessageContaining("{\"to\":\"ada@example.com\",\"subject\":\"rrr")
                    .hasMessageContaining("… (100037 characters)");
            assertThat(enqueued.all().get(0).payloadJson()).as("the record keeps all of it").contains(report);
        }
    }

    @Test
    @DisplayName("a JobQueue not built by jobq (a mock, a wrapper) is refused, naming its class")
    void aQueueNotBuiltByJobqIsRefused() {
        var mock = (JobQueue) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {JobQueue.class},
                (proxy, method, args) -> null);
        assertThatThrownBy(() -> EnqueuedJobs.recording(mock)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("EnqueuedJobs records a JobQueue built by JobQueue.builder() or JobQueue.fromConfig(...), "
                        + "not a " + mock.getClass().getName() + "; give it the queue that one wraps");
    }
}
