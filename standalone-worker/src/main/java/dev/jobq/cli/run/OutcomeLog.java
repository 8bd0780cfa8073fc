package dev.jobq.cli.run;

import dev.jobq.metrics.AttemptOutcome;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
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
 * {@code duration} is the handler's time to the millisecond ({@code 0ms} under one), {@code -} when the job never
 * reached a handler (no handler for its type). {@code error} is the failure's text, quoted once (see
 * {@link #appendQuoted}); {@code job}, {@code type} and {@code queue} too where they would not read as one value
 * ({@link #appendValue}).
 */
final class OutcomeLog implements Consumer<AttemptOutcome> {

    static final String LOGGER = "dev.jobq.outcome";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    /** The characters of a job's id or type the line shows (a type jobq enqueues, an id it reads, have at most 255). */
    private static final int VALUE_SHOWN = 255;

    @Override
    public void accept(AttemptOutcome outcome) {
        log.info("{}", line(outcome));
    }

    static String line(AttemptOutcome outcome) {
        var text = new StringBuilder();
        appendValue(text.append("job="), outcome.jobId());
        appendValue(text.append(" type="), outcome.type());
        appendValue(text.append(" queue="), outcome.queue());
        text.append(" attempt=").append(outcome.attempt())
                .append(" outcome=").append(outcome.kind().label())
                .append(" duration=").append(outcome.handlerTime().map(OutcomeLog::duration).orElse("-"));
        if (outcome.error() != null) {
            appendQuoted(text.append(" error="), outcome.error());
        }
        return text.toString();
    }

    /**
     * {@code value} as it is, or quoted as {@link #appendQuoted} quotes the error where it would not read as one logfmt
     * value: a job's id and type come from a message anyone with send rights on the queue wrote (a type no handler
     * knows is dead-lettered with this line), and one with a space in it wrote fields of its own
     * ({@code type=x outcome=completed}), which a log search took for the line's.
     */
    private static void appendValue(StringBuilder text, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '"' || c == '=' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                appendQuoted(text, shown(value));
                return;
            }
        }
        if (value.isEmpty()) {
            text.append("\"\"");
        } else {
            text.append(shown(value));
        }
    }

    /**
     * {@code value} cut after {@value #VALUE_SHOWN} characters, as the worker's other lines cut a type (docs/semantics.md,
     * Limits): another producer's type is read whatever its length, and so is the id of a message the SQS provider
     * could not read, refused for being longer; the line repeated a megabyte of either whole. The one that is cut is
     * {@linkplain UntrustedText#escape escaped} here, as {@link #appendQuoted} would escape it.
     */
    private static String shown(String value) {
        return value.length() <= VALUE_SHOWN ? value : UntrustedText.escape(value, VALUE_SHOWN);
    }

    /**
     * The handler's time to the millisecond, as every duration of the line reads ({@code 12ms}, {@code 1s500ms}):
     * one under a millisecond is {@code 0ms}, not the ISO-8601 {@code PT0.000367352S} that {@link DurationFormat}
     * gives it elsewhere, which a log search comparing durations cannot read.
     */
    private static String duration(Duration handlerTime) {
        Duration millis = handlerTime.truncatedTo(ChronoUnit.MILLIS);
        return millis.isZero() ? "0ms" : DurationFormat.format(millis);
    }

    /**
     * {@code error} as a logfmt quoted value, escaped once. A failure's text is one line already: its line breaks
     * and control characters are the escapes {@code \n}, {@code \r}, {@code \t} and {@code \}{@code uXXXX}
     * ({@link UntrustedText#escape}), which are kept as they are; a {@code "} is written {@code \"} and any other
     * backslash {@code \\}, so the value cannot end early. Escaping every backslash wrote an escaped line break as
     * {@code \\n}, unlike the warning and the dead letter's reason.
     */
    private static void appendQuoted(StringBuilder text, String error) {
        String oneLine = UntrustedText.escape(error); // as it is for a failure's text: no control characters are left
        text.append('"');
        for (int i = 0; i < oneLine.length(); i++) {
            char c = oneLine.charAt(i);
            if (c == '"') {
                text.append("\\\"");
            } else if (c == '\\') {
                text.append(beginsAnEscape(oneLine, i) ? "\\" : "\\\\");
            } else {
                text.append(c);
            }
        }
        text.append('"');
    }

    /** Whether the backslash at {@code i} begins one of {@link UntrustedText#escape}'s escapes. */
    private static boolean beginsAnEscape(String text, int i) {
        if (i + 1 >= text.length()) {
            return false;
        }
        char next = text.charAt(i + 1);
        if (next == 'n' || next == 'r' || next == 't') {
            return true;
        }
        if (next != 'u' || i + 6 > text.length()) {
            return false;
        }
        for (int k = i + 2; k < i + 6; k++) {
            if (Character.digit(text.charAt(k), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
