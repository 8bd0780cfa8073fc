package dev.jobq.sqs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * The events logged to the loggers it is added to, readable by the test thread while other threads
 * still log: logback's {@code ListAppender} keeps them in a plain {@code ArrayList}, which a stream
 * over it fails with ConcurrentModificationException when a worker thread logs meanwhile.
 */
final class CapturedLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    final List<ILoggingEvent> list = new CopyOnWriteArrayList<>();
    private final List<Logger> attachedTo = new ArrayList<>();

    /** Captures what the loggers of {@code sources} log until {@link #close()}. */
    static CapturedLog of(Class<?>... sources) {
        var log = new CapturedLog();
        log.start();
        for (Class<?> source : sources) {
            var logger = (Logger) LoggerFactory.getLogger(source);
            logger.addAppender(log);
            log.attachedTo.add(logger);
        }
        return log;
    }

    /** The formatted messages logged at WARN or above, in order. */
    List<String> warnings() {
        return list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        attachedTo.forEach(logger -> logger.detachAppender(this));
    }

    @Override
    protected void append(ILoggingEvent event) {
        list.add(event);
    }
}
