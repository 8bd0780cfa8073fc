package dev.jobq.cli.run;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;
import dev.jobq.spi.UntrustedText;

/**
 * {@code %oneLine(...)} in the {@code jobq} command's logback pattern: what it wraps (the message, the
 * job id of the MDC) with its control characters written as escapes ({@code \n}, {@code \u001b}), so
 * that one event is one line. A job's id, type or trace id comes from a message anyone with send rights
 * on the queue wrote; a newline in one would otherwise start a line that looks like jobq's own, and an
 * ANSI sequence would repaint the terminal of whoever reads the log. The stack trace of an event, which
 * follows on lines of its own, is not wrapped.
 */
public final class OneLineConverter extends CompositeConverter<ILoggingEvent> {

    @Override
    protected String transform(ILoggingEvent event, String in) {
        return UntrustedText.escape(in);
    }
}
