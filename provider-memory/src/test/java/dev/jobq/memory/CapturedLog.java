package dev.jobq.memory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
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
    private Logger attachedTo;

    /** Captures what {@code source}'s logger logs until {@link #close()}. */
    static CapturedLog of(Class<?> source) {
        var log = new CapturedLog();
        log.start();
        log.attachedTo = (Logger) LoggerFactory.getLogger(source);
        log.attachedTo.addAppender(log);
        return log;
    }

    /** The formatted messages logged at WARN, in order. */
    List<String> warnings() {
        return list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        if (attachedTo != null) {
            attachedTo.detachAppender(this);
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        list.add(event);
    }
}
