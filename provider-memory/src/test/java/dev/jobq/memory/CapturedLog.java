package dev.jobq.memory;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The events logged to the loggers it is added to, readable by the test thread while other threads
 * still log: logback's {@code ListAppender} keeps them in a plain {@code ArrayList}, which a stream
 * over it fails with ConcurrentModificationException when a worker thread logs meanwhile.
 */
final class CapturedLog extends AppenderBase<ILoggingEvent> {

    final List<ILoggingEvent> list = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        list.add(event);
    }
}
