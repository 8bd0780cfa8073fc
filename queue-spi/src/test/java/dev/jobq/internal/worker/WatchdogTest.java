package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The watchdog's timer: every job's timeout and heartbeats hang on its sweeps going on. */
class WatchdogTest {

    @Test
    @DisplayName("a sweep that throws, an Error included, is logged and the next sweeps still run")
    void aSweepThatThrowsDoesNotEndTheWatchdog() {
        var sweeps = new AtomicInteger();
        var logger = (Logger) LoggerFactory.getLogger(Watchdog.class);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        // What a sweep can meet: a platform thread for a heartbeat or a timeout that cannot be made (a container's
        // thread limit: OutOfMemoryError "unable to create native thread"), or a bug in what it calls.
        var watchdog = new Watchdog("default", List.of("default"), List::of, now -> {
            if (sweeps.incrementAndGet() == 1) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource "
                        + "limits reached");
            }
        }, 1);
        try {
            watchdog.start();
            // Before, the scheduled executor dropped the sweep's task at its first Throwable, silently: no timeout
            // fired and no lease was extended again for as long as the worker ran.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> sweeps.get() >= 3);
            assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.ERROR)
                    .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                    .contains("watchdog", "sweep", "timeouts and heartbeats");
        } finally {
            watchdog.close();
            logger.detachAppender(appender);
        }
    }
}
