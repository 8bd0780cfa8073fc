package dev.jobq.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.Job;
import dev.jobq.JobCancelledException;
import dev.jobq.JobContext;
import dev.jobq.JobEvent;
import dev.jobq.JobHandler;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.NonRetryableJobException;
import dev.jobq.testing.TestJobContext;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExampleHandlersTest {

    private static <T> Job<T> job(String type, T payload, int attempt) {
        return new Job<>("job-1", type, payload, attempt, JobOptions.defaults(), Instant.EPOCH, null);
    }

    @Nested
    @DisplayName("a job enqueued without a payload")
    class WithoutAPayload {

        /** Each example handler, its type, and the payload its error names as the fix. */
        static Stream<Arguments> handlers() {
            return Stream.of(
                    Arguments.of(EmailHandler.TYPE, new EmailHandler(),
                            "{\"to\": \"user@example.com\", \"subject\": \"Welcome!\"}"),
                    Arguments.of(FlakyHandler.TYPE, new FlakyHandler(),
                            "{\"endpoint\": \"https://api.example.com\", \"failures\": 2}"),
                    Arguments.of(AlwaysFailingHandler.TYPE, new AlwaysFailingHandler(),
                            "{\"reason\": \"the printer is on fire\"}"),
                    Arguments.of(ReportHandler.TYPE, new ReportHandler(),
                            "{\"name\": \"monthly\", \"sections\": 4, \"sectionMillis\": 0}"));
        }

        @ParameterizedTest(name = "{0} is dead at once, naming the payload to give")
        @MethodSource("handlers")
        @SuppressWarnings({"unchecked", "rawtypes"})
        void isDeadAtOnceNamingThePayloadToGive(String type, JobHandler handler, String example) {
            // jobq enqueue TYPE without --payload, or a producer's "payload": null: the handler is given null
            Job<?> job = new Job<>("job-1", type, null, 1, JobOptions.defaults(), Instant.EPOCH, null);

            assertThatThrownBy(() -> handler.handle(job, TestJobContext.of("job-1", 1)))
                    .isInstanceOf(NonRetryableJobException.class)
                    .hasMessage("job job-1 of type '" + type + "' has no payload; enqueue it with one, such as "
                            + "jobq enqueue " + type + " --payload '" + example + "'");
        }

        @Test
        void onAQueueIsDeadOnItsFirstAttempt() throws Exception {
            var events = new LinkedBlockingQueue<JobEvent>();
            try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
                DemoHandlers.registerAll(jobs);
                jobs.start();
                String id = jobs.enqueue(FlakyHandler.TYPE, null);

                JobEvent event;
                do {
                    event = events.poll(10, TimeUnit.SECONDS);
                } while (event != null && !(event instanceof JobEvent.Dead) && !(event instanceof JobEvent.Failed));
                assertThat(event).as("the job's first outcome").isInstanceOfSatisfying(JobEvent.Dead.class, dead -> {
                    assertThat(dead.jobId()).isEqualTo(id);
                    assertThat(dead.attempt()).isEqualTo(1);
                    assertThat(dead.error()).contains("has no payload; enqueue it with one");
                });
            }
        }

        @ParameterizedTest(name = "the payload {0}'s error names binds to its handler's class")
        @MethodSource("handlers")
        void theNamedPayloadBindsToTheHandlersClass(String type, JobHandler<?> handler, String example) throws Exception {
            Class<?> payloadClass = Map.of(EmailHandler.TYPE, Email.class, FlakyHandler.TYPE, FlakyCall.class,
                    AlwaysFailingHandler.TYPE, FailingTask.class, ReportHandler.TYPE, ReportRequest.class).get(type);
            assertThat(new ObjectMapper().readValue(example, payloadClass)).isNotNull();
        }
    }

    @Nested
    @DisplayName("email:send")
    class EmailSend {

        @Test
        void countsEverySentEmail() {
            var handler = new EmailHandler();
            var email = new Email("user@example.com", "Welcome!");

            handler.handle(job(EmailHandler.TYPE, email, 1), TestJobContext.of("job-1", 1));
            handler.handle(job(EmailHandler.TYPE, email, 1), TestJobContext.of("job-1", 1));

            assertThat(handler.sent()).isEqualTo(2);
        }

        @Test
        void rejectsAnAddressWithoutAtSign() {
            assertThatThrownBy(() -> new Email("nobody", "Hi"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Email.to must be an address like user@example.com, got \"nobody\"");
        }
    }

    @Nested
    @DisplayName("flaky:call")
    class FlakyCallHandling {

        private final FlakyHandler handler = new FlakyHandler();
        private final FlakyCall call = new FlakyCall("https://api.example.com", 2);

        @ParameterizedTest(name = "attempt {0} fails")
        @ValueSource(ints = {1, 2})
        void failsTheFirstAttempts(int attempt) {
            assertThatThrownBy(() -> handler.handle(job(FlakyHandler.TYPE, call, attempt), TestJobContext.of("job-1", attempt)))
                    .isInstanceOf(IOException.class)
                    .hasMessage("connection reset by https://api.example.com (simulated failure "
                            + attempt + " of 2)");
        }

        @ParameterizedTest(name = "attempt {0} succeeds")
        @ValueSource(ints = {3, 4})
        void succeedsOnceTheFailuresAreUsedUp(int attempt) {
            assertThatCode(() -> handler.handle(job(FlakyHandler.TYPE, call, attempt), TestJobContext.of("job-1", attempt)))
                    .doesNotThrowAnyException();
        }

        @Test
        void succeedsAtOnceWithNoFailures() {
            var reliable = new FlakyCall("https://api.example.com", 0);
            assertThatCode(() -> handler.handle(job(FlakyHandler.TYPE, reliable, 1), TestJobContext.of("job-1", 1)))
                    .doesNotThrowAnyException();
        }

        @Test
        void rejectsNegativeFailures() {
            assertThatThrownBy(() -> new FlakyCall("https://api.example.com", -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("FlakyCall.failures must be ≥ 0, got -1 (for https://api.example.com)");
        }
    }

    @Nested
    @DisplayName("always:fails")
    class AlwaysFails {

        @ParameterizedTest(name = "attempt {0} fails")
        @ValueSource(ints = {1, 2, 3, 10})
        void failsEveryAttemptWithItsReason(int attempt) {
            var handler = new AlwaysFailingHandler();
            var task = new FailingTask("the printer is on fire");

            assertThatThrownBy(() -> handler.handle(job(AlwaysFailingHandler.TYPE, task, attempt),
                    TestJobContext.of("job-1", attempt)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the printer is on fire");
        }
    }

    @Nested
    @DisplayName("report:generate")
    class ReportGeneration {

        private final ReportHandler handler = new ReportHandler();

        @Test
        void reportsProgressAfterEverySectionEndingAtOneHundred() throws Exception {
            var context = TestJobContext.of("job-1", 1);

            handler.handle(job(ReportHandler.TYPE, ReportRequest.of("monthly", 4), 1), context);

            assertThat(context.progress()).containsExactly(25, 50, 75, 100);
        }

        @Test
        void stopsBeforeTheNextSectionOnceCancelled() {
            var recorded = TestJobContext.of("job-1", 1);
            // Cancelled once the second of four sections is done (a timeout or a shutdown comes mid-report): a
            // handler that looked only as it began would go on to the end.
            JobContext context = new JobContext() {
                @Override
                public String jobId() {
                    return recorded.jobId();
                }

                @Override
                public int attempt() {
                    return recorded.attempt();
                }

                @Override
                public void log(String format, Object... args) {
                    recorded.log(format, args);
                }

                @Override
                public void progress(int percent) {
                    recorded.progress(percent);
                    if (percent == 50) {
                        recorded.cancel();
                    }
                }

                @Override
                public boolean isCancelled() {
                    return recorded.isCancelled();
                }
            };

            assertThatThrownBy(() -> handler.handle(job(ReportHandler.TYPE, ReportRequest.of("monthly", 4), 1), context))
                    .isInstanceOf(JobCancelledException.class);
            assertThat(recorded.progress()).as("progress reported").containsExactly(25, 50);
        }

        @Test
        void endsAtOnceWhenItsThreadIsInterrupted() {
            var context = TestJobContext.of("job-1", 1);
            var slow = new ReportRequest("yearly", 3, 60_000);

            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> handler.handle(job(ReportHandler.TYPE, slow, 1), context))
                        .isInstanceOf(InterruptedException.class);
            } finally {
                Thread.interrupted();
            }
            assertThat(context.progress()).isEmpty();
        }

        @Test
        void rejectsTooManySections() {
            assertThatThrownBy(() -> ReportRequest.of("huge", 101))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ReportRequest.sections must be between 1 and 100, got 101 (report huge)");
        }
    }
}
