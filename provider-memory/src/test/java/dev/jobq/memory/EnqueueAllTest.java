package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.BulkEnqueueException;
import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.QueueProvider;
import dev.jobq.testing.ForwardingQueueProvider;
import java.math.BigInteger;
import java.time.Duration;
import java.util.AbstractSequentialList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("JobQueue.enqueueAll: many jobs in one call, all checked before any is sent")
class EnqueueAllTest {

    record Work(int n, String note) {
    }

    private final WorkerFixture fixture = new WorkerFixture();
    private final EventRecorder events = fixture.events;

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    private QueueProvider memoryProvider(Map<String, ?> settings) {
        return fixture.memoryProvider(settings);
    }

    private JobQueue queue(QueueProvider provider) {
        return fixture.queue(provider, 2, Duration.ofSeconds(5));
    }

    /** A memory provider refusing each job whose payload holds "odd" with what {@code refusal} gives for it. */
    private QueueProvider refusingOddPayloads(Function<JobEnvelope, RuntimeException> refusal) {
        return new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
                if (envelope.payloadJson().contains("\"odd\"")) {
                    throw refusal.apply(envelope);
                }
                return super.enqueue(envelope, delay);
            }
        };
    }

    /**
     * A queue on {@code provider} itself: the fixture's queues wrap theirs in a forwarding provider,
     * which enqueues in bulk through its own enqueue and so would hide an enqueueAll override.
     */
    private JobQueue unwrapped(QueueProvider provider) {
        return fixture.closeLater(JobQueue.builder().provider(provider).listener(events).build());
    }

    @Test
    @DisplayName("reads each payload once, in order, whatever the list: a LinkedList's payloads were reached by "
            + "index, walking the list from its start for each one")
    void payloadsAreReadOnceEachFromAListWithoutIndexedAccess() {
        JobQueue jobs = unwrapped(memoryProvider(Map.of()));
        int count = 2_000;
        var steps = new AtomicLong();
        var all = new ArrayList<Work>(count);
        for (int i = 0; i < count; i++) {
            all.add(new Work(i, "n"));
        }
        // A sequential list, as a LinkedList is: get(i) walks i steps from its start, each counted.
        List<Work> payloads = new AbstractSequentialList<>() {
            @Override
            public int size() {
                return count;
            }

            @Override
            public ListIterator<Work> listIterator(int index) {
                ListIterator<Work> inner = all.listIterator();
                for (int i = 0; i < index; i++) {
                    steps.incrementAndGet();
                    inner.next();
                }
                return new ListIterator<>() {
                    @Override public boolean hasNext() { return inner.hasNext(); }
                    @Override public Work next() { steps.incrementAndGet(); return inner.next(); }
                    @Override public boolean hasPrevious() { return inner.hasPrevious(); }
                    @Override public Work previous() { steps.incrementAndGet(); return inner.previous(); }
                    @Override public int nextIndex() { return inner.nextIndex(); }
                    @Override public int previousIndex() { return inner.previousIndex(); }
                    @Override public void remove() { throw new UnsupportedOperationException(); }
                    @Override public void set(Work work) { throw new UnsupportedOperationException(); }
                    @Override public void add(Work work) { throw new UnsupportedOperationException(); }
                };
            }
        };
        assertThat(jobs.enqueueAll("work:do", payloads)).hasSize(count);
        assertThat(steps).as("payloads read from the list").hasValue(count);
        assertThat(jobs.stats("default").waiting()).isEqualTo(count);
    }

    /**
     * A list another thread appends to or takes from (a CopyOnWriteArrayList payloads are collected in) between the
     * count and the read: iterated, it held one payload more or fewer than counted, and the jobs of all it held went
     * to the provider; one more was enqueued with no id returned, one fewer failed with an IndexOutOfBoundsException
     * after every job was sent.
     */
    @Test
    @DisplayName("a list that changes size while it is read rejects the call, and nothing is enqueued")
    void aListThatChangesSizeWhileItIsReadEnqueuesNothing() {
        JobQueue jobs = unwrapped(memoryProvider(Map.of()));
        List<Work> grows = new CopyOnWriteArrayList<>(List.of(new Work(0, "a"), new Work(1, "b"))) {
            @Override
            public Iterator<Work> iterator() {
                add(new Work(2, "added by another thread"));
                return super.iterator();
            }
        };
        List<Work> shrinks = new CopyOnWriteArrayList<>(List.of(new Work(0, "a"), new Work(1, "b"))) {
            @Override
            public Iterator<Work> iterator() {
                remove(1);
                return super.iterator();
            }
        };

        assertThatThrownBy(() -> jobs.enqueueAll("work:do", grows))
                .isInstanceOf(ConcurrentModificationException.class)
                .hasMessage("enqueueAll counted 2 payloads and then read 3: the list changed while it was read; none "
                        + "of the jobs was enqueued; pass a list no other thread changes during the call, or a copy "
                        + "(List.copyOf)");
        assertThatThrownBy(() -> jobs.enqueueAll("work:do", shrinks))
                .isInstanceOf(ConcurrentModificationException.class)
                .hasMessageStartingWith("enqueueAll counted 2 payloads and then read 1: ");
        assertThat(jobs.stats("default").waiting()).isZero();
        assertThat(events.all(JobEvent.Enqueued.class)).isEmpty();
    }

    @Test
    @DisplayName("returns the ids in the payloads' order, and each job runs once with its own payload")
    void everyPayloadBecomesAJob() {
        JobQueue jobs = queue(memoryProvider(Map.of()));
        List<Work> payloads = List.of(new Work(0, "a"), new Work(1, "b"), new Work(2, "c"), new Work(3, "d"));
        List<String> ids = jobs.enqueueAll("work", payloads);

        assertThat(ids).hasSize(4).doesNotHaveDuplicates();
        assertThat(events.all(JobEvent.Enqueued.class)).extracting(JobEvent.Enqueued::jobId)
                .containsExactlyElementsOf(ids);
        List<String> ran = new CopyOnWriteArrayList<>();
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> ran.add(job.id() + "=" + job.payload().n()));
        jobs.start();
        events.awaitCount(JobEvent.Completed.class, 4);
        assertThat(ran).containsExactlyInAnyOrder(ids.get(0) + "=0", ids.get(1) + "=1", ids.get(2) + "=2",
                ids.get(3) + "=3");
        assertThat(jobs.enqueueAll("work", List.of())).isEmpty();
    }

    @Test
    @DisplayName("a payload over the size limit rejects the call, naming its position, and nothing is enqueued")
    void oneBadPayloadRejectsThemAll() {
        JobQueue jobs = queue(memoryProvider(Map.of("maxPayloadBytes", "64B")));
        List<Work> payloads = List.of(new Work(0, "fits"), new Work(1, "x".repeat(100)), new Work(2, "fits"));

        assertThatThrownBy(() -> jobs.enqueueAll("work", payloads))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageStartingWith("payload at index 1 (of 3): payload of job type 'work' is ")
                .hasMessageContaining("over the 64-byte limit")
                .hasMessageEndingWith("none of the 3 jobs was enqueued");
        assertThat(jobs.stats("default").waiting()).isZero();
        assertThat(events.all(JobEvent.Enqueued.class)).isEmpty();
    }

    @Test
    @DisplayName("one deduplication key for several payloads is refused: all but one would be dropped")
    void oneDeduplicationKeyForManyIsRefused() {
        JobQueue jobs = queue(memoryProvider(Map.of()));
        var options = EnqueueOptions.builder().deduplicationKey("nightly").build();

        assertThatThrownBy(() -> jobs.enqueueAll("work", List.of(new Work(0, "a"), new Work(1, "b")), options))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("deduplicationKey 'nightly' would be given to all 2 jobs")
                .hasMessageContaining("one by one");
        assertThat(jobs.stats("default").waiting()).isZero();
        assertThat(jobs.enqueueAll("work", List.of(new Work(0, "a")), options)).hasSize(1);
    }

    @Test
    @DisplayName("a long deduplication key is named by its start and length, as a long trace id is, not echoed whole")
    void aLongDeduplicationKeyForManyIsNamedByItsStartAndLength() {
        JobQueue jobs = queue(memoryProvider(Map.of()));
        // A 10,000-character key gave a 10,000-character message (and log line); "\n" in it started a new line.
        var options = EnqueueOptions.builder().deduplicationKey("k\n" + "x".repeat(9_998)).build();

        assertThatThrownBy(() -> jobs.enqueueAll("work", List.of(new Work(0, "a"), new Work(1, "b")), options))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageStartingWith("deduplicationKey 'k\\n" + "x".repeat(78) + "…' (10000 characters) would be "
                        + "given to all 2 jobs of type 'work'")
                .message().hasSizeLessThan(400);
    }

    @Test
    @DisplayName("when the provider refuses some jobs, the exception says which; the others stay enqueued")
    void providerRefusingSomeJobsIsReportedJobByJob() {
        QueueProvider refusesOdd = refusingOddPayloads(envelope -> new JobQueueException("storage refused job "
                + envelope.jobId()));
        JobQueue jobs = queue(refusesOdd);
        List<Work> payloads = List.of(new Work(0, "even"), new Work(1, "odd"), new Work(2, "even"), new Work(3, "odd"));

        var thrown = (BulkEnqueueException) org.assertj.core.api.Assertions.catchThrowable(
                () -> jobs.enqueueAll("work", payloads));

        assertThat(thrown).hasMessageStartingWith("2 of 4 jobs of type 'work' were not enqueued (payloads at indexes 1, 3); "
                + "the other 2 were, with the ids in jobIds()").hasMessageContaining("storage refused job");
        assertThat(thrown.failedIndexes()).containsExactly(1, 3);
        assertThat(thrown.jobIds()).hasSize(4);
        assertThat(thrown.jobIds().get(1)).isNull();
        assertThat(thrown.jobIds().get(3)).isNull();
        assertThat(Arrays.asList(thrown.jobIds().get(0), thrown.jobIds().get(2))).doesNotContainNull();
        assertThat(thrown.getSuppressed()).hasSize(1);
        assertThat(events.all(JobEvent.Enqueued.class)).extracting(JobEvent.Enqueued::jobId)
                .containsExactly(thrown.jobIds().get(0), thrown.jobIds().get(2));
        assertThat(jobs.stats("default").waiting()).isEqualTo(2);
    }

    @Test
    @DisplayName("a provider whose enqueueAll throws, or answers the wrong number of outcomes, fails every job as unknown")
    void providerBreakingTheBulkContractFailsEveryJob() {
        QueueProvider throwing = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
                throw new JobQueueException("connection reset");
            }
        };
        QueueProvider shortAnswer = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
                return List.of(EnqueueOutcome.of(EnqueueResult.accepted(envelopes.get(0).jobId())));
            }
        };
        List<Work> payloads = List.of(new Work(0, "a"), new Work(1, "b"), new Work(2, "c"));

        assertThatThrownBy(() -> unwrapped(throwing).enqueueAll("work", payloads))
                .isInstanceOfSatisfying(BulkEnqueueException.class, e -> {
                    assertThat(e.failedIndexes()).containsExactly(0, 1, 2);
                    assertThat(e.jobIds()).containsOnlyNulls();
                })
                .hasMessageStartingWith("the 3 jobs of type 'work' may or may not have been enqueued (payloads at "
                        + "indexes 0, 1, 2): the provider failed the call as a whole; enqueueing the payloads at "
                        + "failedIndexes() again may run some of them twice, unless they carry deduplication keys. ")
                .hasMessageNotContaining("none was")
                .hasMessageContaining("connection reset")
                .hasMessageContaining("whether any of them was enqueued is unknown");
        assertThatThrownBy(() -> unwrapped(shortAnswer).enqueueAll("work", payloads))
                .isInstanceOfSatisfying(BulkEnqueueException.class,
                        e -> assertThat(e.failedIndexes()).containsExactly(0, 1, 2))
                .hasMessageStartingWith("the 3 jobs of type 'work' may or may not have been enqueued")
                .hasMessageContaining("answered 1 outcomes for 3 jobs")
                .hasMessageContaining("a defect of the provider");
        assertThat(events.all(JobEvent.Enqueued.class)).isEmpty();
    }

    /** A provider's exception whose message needs a class whose jar is gone by now. */
    static final class MessageOfAGoneClass extends JobQueueException {
        MessageOfAGoneClass() {
            super("storage refused the job");
        }

        @Override
        public String getMessage() {
            throw new NoClassDefFoundError("com/example/Rows");
        }
    }

    @Test
    @DisplayName("a provider's failure whose getMessage() throws an Error is told as what it threw: the exception still "
            + "says which jobs were enqueued, with their ids")
    void providerFailureWhoseMessageThrowsStillSaysWhichJobsWereEnqueued() {
        QueueProvider refusesOdd = refusingOddPayloads(envelope -> new MessageOfAGoneClass());
        QueueProvider throwing = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
                throw new MessageOfAGoneClass();
            }
        };
        List<Work> payloads = List.of(new Work(0, "even"), new Work(1, "odd"));

        // Before, the Error threw out of enqueueAll in place of the BulkEnqueueException: the id of the job that was
        // enqueued was lost, and enqueueing both again ran it twice.
        assertThatThrownBy(() -> queue(refusesOdd).enqueueAll("work", payloads))
                .isInstanceOfSatisfying(BulkEnqueueException.class, e -> {
                    assertThat(e.failedIndexes()).containsExactly(1);
                    assertThat(e.jobIds().get(0)).isNotNull();
                })
                .hasMessage("1 of 2 jobs of type 'work' were not enqueued (payloads at indexes 1); the other 1 were, "
                        + "with the ids in jobIds(): enqueue the payloads at failedIndexes() again. First failure: "
                        + "(its getMessage() threw NoClassDefFoundError: com/example/Rows)");
        assertThatThrownBy(() -> unwrapped(throwing).enqueueAll("work", payloads))
                .isInstanceOf(BulkEnqueueException.class)
                .hasMessageEndingWith(" failed to enqueue 2 jobs at once: (its getMessage() threw NoClassDefFoundError: "
                        + "com/example/Rows); whether any of them was enqueued is unknown");
    }

    @Test
    @DisplayName("a provider refusing a job with an exception whose getMessage() throws: the BulkEnqueueException still "
            + "says which jobs were enqueued")
    void providerRefusalWhoseMessageCannotBeReadIsReportedJobByJob() {
        QueueProvider refusesOdd = refusingOddPayloads(envelope -> new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("session closed");
            }
        });
        JobQueue jobs = queue(refusesOdd);

        var thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> jobs.enqueueAll("work", List.of(new Work(0, "even"), new Work(1, "odd"))));

        // Before, the UnsupportedOperationException of getMessage() came out instead, and the id of job 0 with it.
        assertThat(thrown).isInstanceOfSatisfying(BulkEnqueueException.class, e -> {
            assertThat(e.failedIndexes()).containsExactly(1);
            assertThat(e.jobIds().get(0)).isNotNull();
        }).hasMessageEndingWith("First failure: (its getMessage() threw UnsupportedOperationException: session closed)");
    }

    @Test
    @DisplayName("a provider whose enqueueAll throws with a line break, an ESC and 100,000 characters in the message: "
            + "the BulkEnqueueException's message is one bounded line")
    void providerFailingTheBulkCallWithAHostileMessageIsOneLine() {
        String prefix = "connection reset\nERROR forged \u001b[31m";
        QueueProvider throwing = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
                throw new JobQueueException(prefix + "x".repeat(100_000));
            }
        };

        assertThatThrownBy(() -> unwrapped(throwing).enqueueAll("work", List.of(new Work(0, "a"))))
                .isInstanceOf(BulkEnqueueException.class)
                .hasMessageContaining("failed to enqueue 1 jobs at once: connection reset\\nERROR forged \\u001b[31mxxx")
                .hasMessageContaining("… (" + (prefix.length() + 100_000 - 1000) + " more characters); whether any of "
                        + "them was enqueued is unknown")
                .message().doesNotContain("\n", "\u001b").hasSizeLessThan(3_000);
    }

    /**
     * A job type may hold a bidirectional override (U+202E: requireType refuses only control characters); the refusals
     * at enqueue that name the type repeated it raw, and it showed the rest of the message reversed.
     */
    @Test
    @DisplayName("refusals at enqueue and enqueueAll show a job type with a bidirectional override (U+202E) escaped")
    void refusalsShowATypeWithABidirectionalOverrideEscaped() {
        String type = "work:\u202edo";
        String shown = "type 'work:\\u202edo'";
        QueueProvider limited = new ForwardingQueueProvider(memoryProvider(Map.of("maxPayloadBytes", "64B"))) {
            @Override
            public Capabilities capabilities() {
                Capabilities own = super.capabilities();
                return new Capabilities(own.maxDelay(), own.maxPayloadBytes(), own.features(), own.receiveBatch(), 5,
                        own.maxTimeout());
            }

            @Override
            public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
                throw new JobQueueException("storage refused the job");
            }
        };
        JobQueue jobs = queue(limited);
        jobs.registerJobHandler(type, Work.class, (job, ctx) -> { }, HandlerOptions.defaults().maxAttempts(10));
        EnqueueOptions fewAttempts = EnqueueOptions.builder().maxAttempts(3).build();
        List<Work> two = List.of(new Work(0, "a"), new Work(1, "b"));

        assertThatThrownBy(() -> jobs.enqueue(type, new Work(0, "x".repeat(100)), fewAttempts))
                .hasMessageStartingWith("payload of job " + shown + " is ");
        assertThatThrownBy(() -> jobs.enqueue(type, new Object(), fewAttempts))
                .hasMessageStartingWith("payload of job " + shown + " (java.lang.Object) cannot be written as JSON");
        assertThatThrownBy(() -> jobs.enqueue(type, BigInteger.TEN.pow(1500), fewAttempts))
                .hasMessageStartingWith("payload of job " + shown + " (java.math.BigInteger) is written as JSON");
        assertThatThrownBy(() -> jobs.enqueue(type, null))
                .hasMessageContaining("; maxAttempts 10 is the default of job " + shown + ", from the HandlerOptions");
        assertThatThrownBy(() -> jobs.enqueueAll(type, two, fewAttempts.toBuilder().deduplicationKey("k").build()))
                .hasMessageContaining(" would be given to all 2 jobs of " + shown + ", so all but one");
        assertThatThrownBy(() -> jobs.enqueueAll(type, two, fewAttempts))
                .hasMessageStartingWith("2 of 2 jobs of " + shown + " were not enqueued");
        QueueProvider throwing = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
                throw new JobQueueException("connection reset");
            }
        };
        assertThatThrownBy(() -> unwrapped(throwing).enqueueAll(type, two))
                .hasMessageStartingWith("the 2 jobs of " + shown + " may or may not have been enqueued");
    }
}
