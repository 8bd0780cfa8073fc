package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import dev.jobq.JobQueue;
import dev.jobq.cli.AlteredProvider;
import dev.jobq.metrics.AttemptOutcome;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The jobq command's own logback.xml (not the tests'), as the jar runs with it. */
@DisplayName("the jobq command's log: one event is one line, whatever a message's job id or type holds")
class LogLayoutTest {

    @Test
    void aNewlineOrAnAnsiEscapeInAJobsTypeOrIdForgesNoLine() throws JoranException {
        var context = new LoggerContext();
        var configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(OneLineConverter.class.getResource("/logback.xml"));
        Logger outcome = context.getLogger("dev.jobq.outcome");
        @SuppressWarnings("unchecked")
        var appender = (OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
                context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        String forged = "x\n12:00:00.000 INFO  outcome - job=admin type=payroll outcome=completed\u001b[2J";
        String line = OutcomeLog.line(new AttemptOutcome("default", "j-1", forged, 1, AttemptOutcome.Kind.DEAD, null,
                "no handler"));
        var event = new LoggingEvent(Logger.class.getName(), outcome, Level.INFO, "{}", null, new Object[] {line});
        event.setMDCPropertyMap(Map.of("jobId", "j-1\nINFO forged"));

        String written = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
        // a warning while configuring makes logback print its whole status on stderr at every start
        int worstStatus = new ch.qos.logback.core.status.StatusUtil(context).getHighestLevel(0);
        context.stop();

        assertThat(worstStatus).as(context.getStatusManager().getCopyOfStatusList().toString())
                .isLessThan(ch.qos.logback.core.status.Status.WARN);

        // the type one quoted value (OutcomeLog.appendValue), its forged fields inside it
        assertThat(written).endsWith(" INFO  outcome [j-1\\nINFO forged] - job=j-1 type=\"x\\n12:00:00.000 INFO  "
                + "outcome - job=admin type=payroll outcome=completed\\u001b[2J\" queue=default attempt=1 outcome=dead "
                + "duration=- error=\"no handler\"\n");
        assertThat(written.lines()).hasSize(1);
    }

    @Test
    void aFailingReceivesWarningShowsNoSecretOfAUrlInItsError() throws JoranException {
        var failure = new IllegalStateException("Unable to execute HTTP request: Connect to "
                + "http://AKIAEXAMPLE:S3CRET@localstack:4566 failed", new IllegalStateException(
                "The request signature we calculated does not match; the canonical request was\nPOST\n/\n\n"
                + "host:localstack:4566\nx-amz-security-token:T0KEN\n"));
        var provider = new AlteredProvider(true);
        provider.failReceives(failure);

        String written = writtenByTheJar("dev.jobq.internal.worker.PollLoop", event -> event.getFormattedMessage()
                .startsWith("receiving from queue 'default' failed") && event.getThrowableProxy() != null
                && event.getThrowableProxy().getMessage().equals(failure.getMessage()), () -> {
                    JobQueue jobs = JobQueue.builder().provider(provider).environment(Map.of()).build();
                    jobs.registerJobHandler("t", Integer.class, (job, ctx) -> { });
                    jobs.start();
                    return jobs;
                });

        // Before, the line and the trace under it carried the password and the token to wherever logs go.
        assertThat(written).contains("receiving from queue 'default' failed", "http://AKIAEXAMPLE:****@localstack:4566",
                "x-amz-security-token:****").doesNotContain("S3CRET", "T0KEN");
    }

    @Test
    void aFailingSchedulerPassesWarningShowsNoSecretOfAUrlInItsError() throws JoranException, SQLException {
        String url = "jdbc:h2:mem:jobq-log-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        try (Connection db = DriverManager.getConnection(url)) {
            // the scheduler masks the driver's message in its WARN itself (82070341); the trace under it, H2's
            // causes quoting the value, is the layout's to mask
            String written = writtenByTheJar("dev.jobq.scheduler.jdbc.FiringLoop", event -> event.getFormattedMessage()
                    .contains("postgresql://jobq:****@db:5432/jobs") && event.getThrowableProxy() != null, () -> {
                        JobQueue jobs = JobQueue.builder().provider(new AlteredProvider(true)).environment(Map.of())
                                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "100ms")).build();
                        // Built (its tables made), not yet firing: its first pass, the one logged at WARN, meets this.
                        try {
                            // H2 quotes the value it could not convert, here a due row's id: a URL with its password
                            db.createStatement().execute("ALTER TABLE jobq_scheduled_job RENAME TO jobq_parked");
                            db.createStatement().execute("CREATE VIEW jobq_scheduled_job AS SELECT CAST(x AS BIGINT) "
                                    + "AS id, TIMESTAMP WITH TIME ZONE '2000-01-01 00:00:00Z' AS due_at, 'SCHEDULED' AS "
                                    + "status FROM (VALUES ('postgresql://jobq:S3CRET@db:5432/jobs')) t(x)");
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                        jobs.start();
                        return jobs;
                    });

            assertThat(written).contains("scheduler: a pass over", "postgresql://jobq:****@db:5432/jobs")
                    .doesNotContain("S3CRET");
        }
    }

    /**
     * The first event on {@code logger} that {@code wanted} picks, logged by the real code {@code start} sets
     * going, as the jar's logback.xml writes it.
     */
    private static String writtenByTheJar(String logger, java.util.function.Predicate<ILoggingEvent> wanted,
                                          java.util.function.Supplier<JobQueue> start) throws JoranException {
        var source = (Logger) LoggerFactory.getLogger(logger);
        var events = new ListAppender<ILoggingEvent>();
        events.start();
        source.addAppender(events);
        ILoggingEvent event;
        try (JobQueue jobs = start.get()) {
            event = await().atMost(Duration.ofSeconds(10)).until(
                    () -> events.list.stream().filter(wanted).findFirst().orElse(null), e -> e != null);
        } finally {
            source.detachAppender(events);
        }
        var context = new LoggerContext();
        var configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(OneLineConverter.class.getResource("/logback.xml"));
        @SuppressWarnings("unchecked")
        var appender = (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        Encoder<ILoggingEvent> encoder = appender.getEncoder();
        String written = new String(encoder.encode(event), StandardCharsets.UTF_8);
        context.stop();
        return written;
    }
}
