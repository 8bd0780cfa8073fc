package dev.jobq.cli.run;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;
import dev.jobq.spi.Secrets;

/**
 * {@code %mask(...)} in the {@code jobq} command's logback pattern: what it wraps (the message, the
 * stack trace) with the secrets of the URLs and headers in it masked ({@link Secrets#maskUrl}). A
 * provider's, a driver's or an SDK's error may quote the URL it was given, password and all, and jobq
 * logs such errors as they come (a failing receive, stats read or scheduler pass, and any library's own
 * line); logs go where a secret must not, a log aggregator. One place for every line, rather than a
 * mask at each call that logs an error.
 */
public final class SecretMaskConverter extends CompositeConverter<ILoggingEvent> {

    @Override
    protected String transform(ILoggingEvent event, String in) {
        return Secrets.maskUrl(in);
    }
}
