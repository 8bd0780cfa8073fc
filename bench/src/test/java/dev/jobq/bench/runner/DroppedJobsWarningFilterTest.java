package dev.jobq.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

/**
 * B2, B4, B6 and B7 close memory queues still holding the jobs they counted: the provider's WARN that
 * they are dropped is the expected end of each pass, and a full run wrote it about a hundred times
 * between the progress lines. The bench's logback.xml filters that WARN out, and only that one.
 */
class DroppedJobsWarningFilterTest {

    @Test
    void theBenchsLoggingConfigurationDropsOnlyTheMemoryQueuesClosedWithUnfinishedJobsWarning() throws Exception {
        var context = new LoggerContext();
        var configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(getClass().getResource("/logback.xml"));
        Logger memory = context.getLogger("dev.jobq.memory.MemoryQueueProvider");
        var seen = new ListAppender<ILoggingEvent>();
        seen.setContext(context);
        seen.start();
        memory.addAppender(seen);

        memory.warn("memory queue '{}' closed with {} unfinished job(s) ({} waiting, {} delayed, {} leased); they "
                + "are dropped", "default", 3, 3, 0, 0);
        memory.warn("memory queue '{}' keeps at most {} dead letters", "default", 2);
        context.getLogger("dev.jobq.other").warn("memory queue '{}' closed with {} unfinished job(s)", "x", 1);

        assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("memory queue 'default' keeps at most 2 dead letters");
        assertThat(memory.getEffectiveLevel()).isEqualTo(Level.WARN);
        context.stop();
    }
}
