package dev.jobq.scheduler.jdbc;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;

/** What an application's {@code log.error("...", e)} prints through logback: the line, the trace, every cause. */
final class CallerLog {

    private CallerLog() {
    }

    static String printed(Throwable e) {
        var context = new LoggerContext();
        var layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern("%level %logger - %msg%n%ex");
        layout.start();
        var event = new LoggingEvent(CallerLog.class.getName(), context.getLogger("app"), Level.ERROR,
                "the scheduler call failed", e, null);
        String printed = layout.doLayout(event);
        if (!printed.contains("the scheduler call failed")) {
            throw new IllegalStateException("the layout printed nothing: " + printed);
        }
        return printed;
    }
}
