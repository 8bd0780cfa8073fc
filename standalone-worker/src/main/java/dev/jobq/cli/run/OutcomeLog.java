package dev.jobq.cli.run;

import dev.jobq.metrics.AttemptOutcome;
import dev.jobq.spi.DurationFormat;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per finished attempt on the {@value #LOGGER} logger, as {@code key=value} pairs a log
 * search can filter on:
 *
 * <pre>
 * job=0192f3c1-… type=email:send queue=default attempt=1 outcome=completed duration=12ms
 * job=0192f3c1-… type=flaky:call queue=default attempt=1 outcome=failed duration=3ms error="IOException: timeout"
 * </pre>
 *
 * {@code duration} is {@code -} when the job never reached a handler (no handler for its type).
 */
final class OutcomeLog implements Consumer<AttemptOutcome> {

    static final String LOGGER = "dev.jobq.outcome";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    @Override
    public void accept(AttemptOutcome outcome) {
        log.info("{}", line(outcome));
    }

    static String line(AttemptOutcome outcome) {
        var text = new StringBuilder()
                .append("job=").append(outcome.jobId())
                .append(" type=").append(outcome.type())
                .append(" queue=").append(outcome.queue())
                .append(" attempt=").append(outcome.attempt())
                .append(" outcome=").append(outcome.kind().label())
                .append(" duration=").append(outcome.handlerTime().map(DurationFormat::format).orElse("-"));
        if (outcome.error() != null) {
            text.append(" error=\"").append(outcome.error().replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n")).append('"');
        }
        return text.toString();
    }
}
