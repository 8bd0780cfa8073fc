package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.jobq.metrics.AttemptOutcome;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

        assertThat(written).endsWith(" INFO  outcome [j-1\\nINFO forged] - job=j-1 type=x\\n12:00:00.000 INFO  "
                + "outcome - job=admin type=payroll outcome=completed\\u001b[2J queue=default attempt=1 outcome=dead "
                + "duration=- error=\"no handler\"\n");
        assertThat(written.lines()).hasSize(1);
    }
}
