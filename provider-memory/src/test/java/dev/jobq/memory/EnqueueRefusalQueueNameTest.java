package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.BulkEnqueueException;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A refused enqueue names its queue escaped, as it names the job type. */
class EnqueueRefusalQueueNameTest {

    private static final String NAME = "bills\u202Efdp.exe";
    private static final String SHOWN = "of queue 'bills\\u202efdp.exe'";

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("priority", (Consumer<JobQueue>) jobs -> jobs.enqueue("report:build", "q3",
                        EnqueueOptions.builder().queue(NAME).priority(5).build())),
                Arguments.of("maxAttempts", (Consumer<JobQueue>) jobs -> jobs.enqueue("report:build", "q3",
                        EnqueueOptions.builder().queue(NAME).maxAttempts(9).build())),
                Arguments.of("timeout", (Consumer<JobQueue>) jobs -> jobs.enqueue("report:build", "q3",
                        EnqueueOptions.builder().queue(NAME).timeout(Duration.ofHours(1)).build())),
                Arguments.of("deduplicationKey", (Consumer<JobQueue>) jobs -> jobs.enqueue("report:build", "q3",
                        EnqueueOptions.builder().queue(NAME).deduplicationKey("k").build())),
                Arguments.of("payload size", (Consumer<JobQueue>) jobs -> jobs.enqueue("report:build", "x".repeat(200),
                        EnqueueOptions.queue(NAME))),
                Arguments.of("delay beyond the provider", (Consumer<JobQueue>) jobs -> jobs.enqueue("report:build",
                        "q3", EnqueueOptions.builder().queue(NAME).delay(Duration.ofHours(1)).build())),
                Arguments.of("enqueueAll failed as a whole", (Consumer<JobQueue>) jobs -> jobs.enqueueAll(
                        "report:build", List.of("fail", "q4"), EnqueueOptions.queue(NAME))),
                Arguments.of("enqueueAll answered too few outcomes", (Consumer<JobQueue>) jobs -> jobs.enqueueAll(
                        "report:build", List.of("short", "q4"), EnqueueOptions.queue(NAME))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    @DisplayName("a refused enqueue names a queue holding a U+202E escaped: raw, it reversed the rest of the message")
    void aRefusedEnqueueNamesItsQueueEscaped(String refusal, Consumer<JobQueue> enqueue) {
        try (JobQueue jobs = JobQueue.builder().queue(NAME, limited()).withoutScheduler().build()) {
            assertThatThrownBy(() -> enqueue.accept(jobs)).hasMessageContaining(SHOWN)
                    .message().doesNotContain("\u202E");
        }
    }

    @Test
    @DisplayName("a job after a refused one on a queue that keeps an order names the queue escaped, as the other "
            + "refusals do")
    void theJobsAfterARefusedOneOnAnOrderedQueueNameItEscaped() {
        QueueProvider memory = new MemoryProviderFactory().create(
                new ProviderContext(NAME, Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
        QueueProvider ordered = new ForwardingQueueProvider(memory) {
            @Override
            public Capabilities capabilities() {
                return new Capabilities(Duration.ofMinutes(15), 262_144, Set.of(Feature.ORDERED));
            }
        };
        try (JobQueue jobs = JobQueue.builder().queue(NAME, ordered).scheduler(ctx -> new SecondRefused()).build()) {
            assertThatThrownBy(() -> jobs.enqueueAll("report:build", List.of("q1", "q2", "q3"),
                    EnqueueOptions.builder().queue(NAME).delay(Duration.ofHours(1)).build()))
                    .isInstanceOfSatisfying(BulkEnqueueException.class, e -> {
                        assertThat(e.failedIndexes()).containsExactly(1, 2);
                        assertThat(e.getSuppressed()).singleElement().extracting(Throwable::getMessage).isEqualTo(
                                "payload at index 2 was not enqueued: the one at index 1 before it was not, and "
                                + "queue 'bills\\u202efdp.exe' keeps an order, in which this one would have run ahead "
                                + "of it; enqueue them again, in order");
                    });
        }
    }

    /** A scheduler that holds the first job it is given and fails the second, as a lost connection would. */
    private static final class SecondRefused implements StubScheduler {
        private int scheduled;

        @Override
        public String schedule(JobEnvelope envelope, Instant at) {
            if (++scheduled == 2) {
                throw new IllegalStateException("the connection was reset");
            }
            return envelope.jobId();
        }
    }

    /** A memory queue with the limits of a small provider, whose enqueueAll fails as a test payload asks. */
    private static QueueProvider limited() {
        QueueProvider memory = new MemoryProviderFactory().create(
                new ProviderContext(NAME, Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
        return new ForwardingQueueProvider(memory) {
            @Override
            public Capabilities capabilities() {
                return new Capabilities(Duration.ofMinutes(15), 100, Set.of(), 1, 3, Duration.ofMinutes(10));
            }

            @Override
            public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
                if (envelopes.get(0).payloadJson().contains("fail")) {
                    throw new IllegalStateException("the connection was reset");
                }
                return List.of(EnqueueOutcome.of(delegate().enqueue(envelopes.get(0), delay)));
            }
        };
    }
}
