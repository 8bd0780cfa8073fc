package dev.jobq.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.Job;
import dev.jobq.JobCancelledException;
import dev.jobq.JobContext;
import dev.jobq.JobOptions;
import dev.jobq.testing.TestJobContext;
import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExampleHandlersTest {

    private static <T> Job<T> job(String type, T payload, int attempt) {
        return new Job<>("job-1", type, payload, attempt, JobOptions.defaults(), Instant.EPOCH, null);
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
