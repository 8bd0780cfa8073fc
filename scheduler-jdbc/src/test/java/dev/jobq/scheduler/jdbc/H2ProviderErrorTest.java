package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobOptions;
import dev.jobq.RecurringJob;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A provider that throws an Error rather than an exception (a class missing from its classpath, an
 * assertion of its own) while the firing thread hands a job on: the job is kept with that error and
 * tried again, as for any failed hand-off, and the firing thread goes on with the other jobs.
 */
class H2ProviderErrorTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink recorded = new RecordingSink(clock);

    @Test
    void anErrorFromTheProviderKeepsTheJobForAnotherTryAndFiringGoesOn() {
        var thrown = new AtomicBoolean();
        JobSink sink = envelope -> {
            if (envelope.type().equals("report:broken") && thrown.compareAndSet(false, true)) {
                throw new NoClassDefFoundError("software/amazon/awssdk/services/sqs/model/SendMessageRequest");
            }
            return recorded.submit(envelope);
        };
        try (JdbcJobScheduler scheduler = scheduler(sink)) {
            JobEnvelope broken = job("report:broken");
            JobEnvelope later = job("report:later");
            scheduler.schedule(broken, T0);
            scheduler.schedule(later, T0.plus(Duration.ofMinutes(1)));
            scheduler.start();

            await().atMost(WAIT).until(thrown::get);
            String error = awaitError(scheduler, broken.jobId());
            assertThat(error).startsWith("NoClassDefFoundError: software/amazon/awssdk/services/sqs/model/SendMessageRequest");

            clock.set(T0.plus(Duration.ofMinutes(1)));
            await().atMost(WAIT).until(() -> recorded.ofType("report:later").size() == 1);
            await().atMost(WAIT).until(() -> recorded.ofType("report:broken").size() == 1);
            assertThat(recorded.duplicates()).isEmpty();
        }
    }

    @Test
    void anErrorFromTheProviderKeepsARecurringOccurrenceForAnotherTryAndFiringGoesOn() {
        var thrown = new AtomicBoolean();
        JobSink sink = envelope -> {
            if (envelope.type().equals("report:tick") && thrown.compareAndSet(false, true)) {
                throw new AssertionError("the provider's own check failed");
            }
            return recorded.submit(envelope);
        };
        try (JdbcJobScheduler scheduler = scheduler(sink)) {
            scheduler.registerRecurring(RecurringJob.builder("tick", "report:tick").schedule("every 1 minute").build(),
                    "{}");
            scheduler.start();
            Instant first = T0.plus(Duration.ofMinutes(1));
            clock.set(first);

            String error = await().atMost(WAIT).until(() -> scheduler.getRecurring("tick").orElseThrow().lastError(),
                    text -> text != null);
            assertThat(error).isEqualTo("AssertionError: the provider's own check failed");
            clock.set(first.plus(HandOff.FIRST_RETRY));
            await().atMost(WAIT).until(() -> recorded.firedAt("report:tick").equals(java.util.List.of(first)));
            await().atMost(WAIT).until(() -> scheduler.getRecurring("tick").orElseThrow().lastError() == null);
        }
    }

    /**
     * A provider's message that repeats a URL, its password in it, short enough for the error column: the row kept it
     * as it was, so listScheduled and getRecurring (and any reader of the table) had the password (only a text cut to the
     * column was masked).
     */
    @Test
    void aPasswordInAUrlOfAProvidersShortMessageIsMaskedInTheRowsError() {
        var thrown = new AtomicBoolean();
        var tickThrown = new AtomicBoolean();
        JobSink sink = envelope -> {
            if (envelope.type().equals("report:broken") && thrown.compareAndSet(false, true)
                    || envelope.type().equals("report:tick") && tickThrown.compareAndSet(false, true)) {
                throw new IllegalStateException("connection to postgres://jobq:s3cret@db/jobs?password=other refused"
                        + "\nretry later");
            }
            return recorded.submit(envelope);
        };
        try (JdbcJobScheduler scheduler = scheduler(sink)) {
            JobEnvelope broken = job("report:broken");
            scheduler.schedule(broken, T0);
            scheduler.registerRecurring(RecurringJob.builder("tick", "report:tick").schedule("every 1 minute").build(),
                    "{}");
            scheduler.start();

            String masked = "IllegalStateException: connection to postgres://jobq:****@db/jobs?password=**** refused"
                    + "\\nretry later";
            assertThat(awaitError(scheduler, broken.jobId())).isEqualTo(masked);
            clock.set(T0.plus(Duration.ofMinutes(1)));
            assertThat(await().atMost(WAIT).until(() -> scheduler.getRecurring("tick").orElseThrow().lastError(),
                    text -> text != null)).isEqualTo(masked);
        }
    }

    @Test
    void anExceptionOfAnAnonymousClassFromTheProviderIsNamedByItsClass() {
        var thrown = new AtomicBoolean();
        JobSink sink = envelope -> {
            if (thrown.compareAndSet(false, true)) {
                throw new IllegalStateException("connection lost") { };
            }
            return recorded.submit(envelope);
        };
        try (JdbcJobScheduler scheduler = scheduler(sink)) {
            JobEnvelope broken = job("report:broken");
            scheduler.schedule(broken, T0);
            scheduler.start();

            String error = awaitError(scheduler, broken.jobId());
            // Before, its empty simple name: ": connection lost".
            assertThat(error).isEqualTo("H2ProviderErrorTest$1: connection lost");
        }
    }

    @Test
    void anExceptionWithNoMessageFromTheProviderIsNamedByItsClassAloneAsTheCoreNamesIt() {
        var thrown = new AtomicBoolean();
        JobSink sink = envelope -> {
            if (thrown.compareAndSet(false, true)) {
                throw new IllegalStateException();
            }
            return recorded.submit(envelope);
        };
        try (JdbcJobScheduler scheduler = scheduler(sink)) {
            JobEnvelope broken = job("report:broken");
            scheduler.schedule(broken, T0);
            scheduler.start();

            String error = awaitError(scheduler, broken.jobId());
            // Before, "IllegalStateException: null", where a handler's failure reads "IllegalStateException".
            assertThat(error).isEqualTo("IllegalStateException");
        }
    }

    /**
     * An application's own sink whose {@code serves(queue)} throws an exception whose message cannot be read: the
     * WARN about it handed that exception to the log as it was, whose stack trace reads getMessage().
     */
    @Test
    void aSinkWhoseServesThrowsAnExceptionWhoseMessageCannotBeReadHoldsUpNoOtherJob() {
        assertAServesThatThrowsHoldsUpNoOtherJob(new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("session closed");
            }
        });
    }

    @Test
    void aSinkWhoseServesThrowsAnExceptionWithASuppressedOneWhoseMessageCannotBeReadHoldsUpNoOtherJob() {
        var thrown = new IllegalStateException("queue lookup failed");
        thrown.addSuppressed(new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("session closed");
            }
        });
        assertAServesThatThrowsHoldsUpNoOtherJob(thrown);
    }

    @Test
    void aSinkWhoseServesThrowsAnExceptionWhoseMessageAndStackTraceCannotBeReadHoldsUpNoOtherJob() {
        assertAServesThatThrowsHoldsUpNoOtherJob(new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("session closed");
            }

            @Override
            public StackTraceElement[] getStackTrace() {
                throw new UnsupportedOperationException("no trace");
            }
        });
    }

    @Test
    void aSinkWhoseServesThrowsAnExceptionWhoseToStringThrowsHoldsUpNoOtherJob() {
        assertAServesThatThrowsHoldsUpNoOtherJob(new IllegalStateException("queue lookup failed") {
            @Override
            public String toString() {
                throw new UnsupportedOperationException("session closed");
            }
        });
    }

    @Test
    void aSinkWhoseServesThrowsAnExceptionWhoseGetCauseThrowsHoldsUpNoOtherJob() {
        assertAServesThatThrowsHoldsUpNoOtherJob(new IllegalStateException("queue lookup failed") {
            @Override
            public synchronized Throwable getCause() {
                throw new UnsupportedOperationException("session closed");
            }
        });
    }

    @Test
    void aSinkWhoseServesThrowsAnExceptionWithACycleOfCausesHoldsUpNoOtherJob() {
        var first = new IllegalStateException("queue lookup failed");
        var second = new IllegalStateException("connection lost");
        first.initCause(second);
        second.initCause(first);
        assertAServesThatThrowsHoldsUpNoOtherJob(first);
    }

    @Test
    void aSinkWhoseServesThrowsAnExceptionWithTenThousandCausesHoldsUpNoOtherJob() {
        var thrown = new IllegalStateException("queue lookup failed");
        Throwable last = thrown;
        for (int i = 0; i < 10_000; i++) {
            var cause = new IllegalStateException("cause " + i);
            last.initCause(cause);
            last = cause;
        }
        assertAServesThatThrowsHoldsUpNoOtherJob(thrown);
    }

    @Test
    void aSinksServesExceptionWithATenMegabyteMessageIsCutInItsWarning() {
        String message = "x".repeat(10_000_000);
        String cut = "… (" + (("IllegalStateException: " + message).length() - LoggableThrowables.MAX_MESSAGE_CHARS)
                + " more characters)"; // as the core cuts a handler's message
        try (var log = CapturedLog.of(HandOff.class)) {
            assertAServesThatThrowsHoldsUpNoOtherJob(new IllegalStateException(message));

            assertThat(log.warnings()).filteredOn(line -> line.contains("serves('reports')")).singleElement()
                    .satisfies(line -> assertThat(line).hasSizeLessThan(10_000)
                            .contains("IllegalStateException: xxx")
                            .contains(cut));
        }
    }

    @Test
    void anExceptionFromTheProviderWithATenMegabyteMessageIsCutInItsWarningAndRow() {
        String message = "x".repeat(10_000_000);
        String cut = "… (" + (("IllegalStateException: " + message).length() - LoggableThrowables.MAX_MESSAGE_CHARS)
                + " more characters)"; // as the core cuts a handler's message
        JobSink sink = envelope -> {
            throw new IllegalStateException(message);
        };
        try (var log = CapturedLog.of(HandOff.class); JdbcJobScheduler scheduler = scheduler(sink)) {
            JobEnvelope broken = job("report:broken");
            scheduler.schedule(broken, T0);

            scheduler.fireDue();

            assertThat(log.warnings()).filteredOn(line -> line.contains("handing on scheduled job")).singleElement()
                    .satisfies(line -> assertThat(line).hasSizeLessThan(10_000)
                            .endsWith(cut));
            assertThat(awaitError(scheduler, broken.jobId())).startsWith("IllegalStateException: xxx")
                    .hasSizeLessThanOrEqualTo(ScheduledJobs.ERROR_LENGTH);
        }
    }

    /**
     * A provider's message whose escaped text (each control character six characters) is longer than the error's
     * column, with emoji where the column ends: the row's error kept the first half of one, no character (a
     * PostgreSQL client or a terminal shows '?').
     */
    @Test
    void aStoredErrorLongerThanItsColumnIsNeverCutBetweenTheTwoHalvesOfAnEmoji() {
        String message = "\u0001".repeat(300) + "a" + "\ud83d\ude00".repeat(300);
        try (JdbcJobScheduler scheduler = scheduler(throwing(message))) {
            JobEnvelope broken = job("report:broken");
            scheduler.schedule(broken, T0);

            scheduler.fireDue();

            String error = awaitError(scheduler, broken.jobId());
            assertThat(error).startsWith("IllegalStateException: " + "\\u0001".repeat(300) + "a\ud83d\ude00")
                    .hasSizeLessThanOrEqualTo(ScheduledJobs.ERROR_LENGTH);
            assertThat(halvesOfEmoji(error)).as("halves of an emoji in the stored error").isEmpty();
        }
    }

    /**
     * A provider's message of control characters, shorter than the WARN's cut, whose escapes (six characters each)
     * make a text three times the error's column: the row's error ended inside one, a backslash and a u.
     */
    @Test
    void aStoredErrorLongerThanItsColumnIsNeverCutInsideAnEscape() {
        String message = "\u0001".repeat(999);
        try (JdbcJobScheduler scheduler = scheduler(throwing(message))) {
            JobEnvelope broken = job("report:broken");
            scheduler.schedule(broken, T0);

            scheduler.fireDue();

            String error = awaitError(scheduler, broken.jobId());
            String prefix = "IllegalStateException: ";
            assertThat(error).startsWith(prefix + "\\u0001").contains("…")
                    .hasSizeLessThanOrEqualTo(ScheduledJobs.ERROR_LENGTH);
            assertThat(error.substring(prefix.length(), error.indexOf('…')).replace("\\u0001", ""))
                    .as("what the stored error keeps past its whole escapes").isEmpty();
        }
    }

    /**
     * A provider's message the WARN cuts, and the row's error cuts shorter: the WARN said how many characters it left
     * out, the row's error ended in a bare ellipsis. It says so too, counted as the WARN counts them (the message's).
     */
    @Test
    void aStoredErrorCutToItsColumnSaysHowManyCharactersItLeavesOut() {
        String message = "\u0001".repeat(1500);
        try (var log = CapturedLog.of(HandOff.class); JdbcJobScheduler scheduler = scheduler(throwing(message))) {
            JobEnvelope broken = job("report:broken");
            scheduler.schedule(broken, T0);

            scheduler.fireDue();

            String error = awaitError(scheduler, broken.jobId());
            assertThat(error).endsWith("… (1175 more characters)")
                    .isEqualTo("IllegalStateException: " + "\\u0001".repeat(325) + "… (1175 more characters)")
                    .hasSizeLessThanOrEqualTo(ScheduledJobs.ERROR_LENGTH);
            assertThat(log.warnings()).filteredOn(line -> line.contains("handing on scheduled job")).singleElement()
                    .satisfies(line -> assertThat(line).endsWith("IllegalStateException: " + "\\u0001".repeat(977)
                            + "… (523 more characters)"));
        }
    }

    /**
     * A text of the scheduler's own longer than the column (an unreadable row's reason, which quotes the row): cut at a
     * whole character, an escape whole, saying how many of its characters it leaves out.
     */
    @Test
    void aTextLongerThanTheErrorColumnIsCutAtAWholeCharacterAndSaysHowManyItLeavesOut() {
        assertThat(ScheduledJobs.truncate("x".repeat(1990) + "\\u0001\\u0001"))
                .isEqualTo("x".repeat(1976) + "… (26 more characters)");
        assertThat(ScheduledJobs.truncate("x".repeat(1974) + "\\u0001".repeat(10)))
                .isEqualTo("x".repeat(1974) + "… (60 more characters)");
        assertThat(ScheduledJobs.truncate("x".repeat(1975) + "\ud83d\ude00".repeat(20)))
                .isEqualTo("x".repeat(1975) + "… (40 more characters)");
        assertThat(ScheduledJobs.truncate("x".repeat(2000))).isEqualTo("x".repeat(2000));
    }

    /** A sink whose every submit throws an IllegalStateException with {@code message}. */
    private static JobSink throwing(String message) {
        return envelope -> {
            throw new IllegalStateException(message);
        };
    }

    /** The surrogates of {@code text} without their other half, in hex. */
    private static java.util.List<String> halvesOfEmoji(String text) {
        return text.codePoints().filter(c -> Character.getType(c) == Character.SURROGATE)
                .mapToObj(Integer::toHexString).toList();
    }

    /**
     * An application's own sink whose {@code serves(queue)} throws {@code thrown}, which the WARN about it hands to
     * the log: the job its queue rejects is kept, and the other job due with it is handed on.
     */
    private void assertAServesThatThrowsHoldsUpNoOtherJob(RuntimeException thrown) {
        JobSink sink = new JobSink() {
            @Override
            public EnqueueResult submit(JobEnvelope envelope) {
                if (envelope.queue().equals("reports")) {
                    throw new dev.jobq.JobRejectedException("unknown queue 'reports'");
                }
                return recorded.submit(envelope);
            }

            @Override
            public boolean serves(String queue) {
                throw thrown;
            }
        };
        try (JdbcJobScheduler scheduler = scheduler(sink)) {
            JobEnvelope report = onQueue("report:broken", "reports");
            JobEnvelope other = job("report:other");
            scheduler.schedule(report, T0);
            scheduler.schedule(other, T0);

            assertThat(scheduler.fireDue()).as("jobs handed on beside the one whose queue serves() failed on")
                    .isOne();
            assertThat(recorded.ofType("report:other")).hasSize(1);
            assertThat(scheduler.listScheduled(10)).singleElement().satisfies(row -> {
                assertThat(row.id()).isEqualTo(report.jobId());
                assertThat(row.error()).contains("unknown queue 'reports'");
            });
        }
    }

    @Test
    void anExceptionFromTheProviderWhoseMessageCannotBeReadKeepsTheJobForAnotherTry() {
        var thrown = new AtomicBoolean();
        JobSink sink = envelope -> {
            if (envelope.type().equals("report:broken") && thrown.compareAndSet(false, true)) {
                throw new IllegalStateException() {
                    @Override
                    public String getMessage() {
                        throw new UnsupportedOperationException("session closed");
                    }
                };
            }
            return recorded.submit(envelope);
        };
        try (JdbcJobScheduler scheduler = scheduler(sink)) {
            JobEnvelope first = job("report:first");
            JobEnvelope broken = job("report:broken");
            scheduler.schedule(first, T0.minusSeconds(1));
            scheduler.schedule(broken, T0);
            scheduler.start();

            // Before, what getMessage() threw went out of the pass: the batch was rolled back, the job handed on
            // before it unmarked, and every pass met the row again.
            String error = awaitError(scheduler, broken.jobId());
            assertThat(error).endsWith(": (its getMessage() threw UnsupportedOperationException: session closed)");
            assertThat(recorded.ofType("report:first")).hasSize(1);
            clock.set(T0.plus(HandOff.FIRST_RETRY));
            await().atMost(WAIT).until(() -> recorded.ofType("report:broken").size() == 1);
            assertThat(recorded.duplicates()).isEmpty();
        }
    }

    /**
     * The queue of a row another process or a hand wrote, for which an application's sink's serves() throws: the WARN
     * about it gave the queue as it was, where every other line about a queue escapes it.
     */
    @Test
    void aServesThatThrowsIsWarnedAboutWithTheRowsQueueEscaped() throws SQLException {
        JobSink sink = new JobSink() {
            @Override
            public EnqueueResult submit(JobEnvelope envelope) {
                return recorded.submit(envelope);
            }

            @Override
            public boolean serves(String queue) {
                throw new IllegalStateException("no queue list yet");
            }
        };
        String url = "jdbc:h2:mem:jobq-provider-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofHours(1))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            JobEnvelope forged = job("report:forged");
            scheduler.schedule(forged, T0);
            try (Connection connection = DriverManager.getConnection(url);
                 Statement statement = connection.createStatement()) {
                // Options this process cannot read, so the row's queue column is the one asked about.
                assertThat(statement.executeUpdate("UPDATE jobq_scheduled_job SET queue = 'reports' || CHAR(10) "
                        + "|| CHAR(27) || '[31mforged', options = '{\"maxAttempts\":0}'")).isOne();
            }

            try (var log = CapturedLog.of(HandOff.class)) {
                scheduler.fireDue();

                assertThat(log.warnings()).filteredOn(warning -> warning.contains("serves(")).singleElement()
                        .asString().startsWith("scheduler: the job sink's serves('reports\\n\\u001b[31mforged') (");
            }
        }
    }

    /** A scheduler on a fresh H2 database that hands jobs to {@code sink}, with a poll interval of an hour. */
    private JdbcJobScheduler scheduler(JobSink sink) {
        return JdbcSchedulerFactory.builder()
                .jdbcUrl("jdbc:h2:mem:jobq-provider-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                .pollInterval(Duration.ofHours(1))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
    }

    /** The error kept on the scheduled job {@code jobId}, once the scheduler lists one. */
    private static String awaitError(JdbcJobScheduler scheduler, String jobId) {
        return await().atMost(WAIT).until(() -> scheduler.listScheduled(10).stream()
                .filter(info -> info.id().equals(jobId) && info.error() != null)
                .map(info -> info.error()).findFirst().orElse(""), text -> !text.isEmpty());
    }

    private JobEnvelope job(String type) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type, "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }

    private JobEnvelope onQueue(String type, String queue) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type, "{}",
                new JobOptions(3, Duration.ofSeconds(30), 0, null, queue), 0, clock.instant(), null, null);
    }
}
