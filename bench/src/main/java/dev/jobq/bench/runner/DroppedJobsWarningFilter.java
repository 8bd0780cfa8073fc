package dev.jobq.bench.runner;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops the memory provider's WARN that a queue closed with unfinished jobs, and nothing else: B2, B4,
 * B6 and B7 close memory queues still holding the jobs they counted, so that WARN is the expected end
 * of each pass, and a full run wrote it about a hundred times between the progress lines. Any other
 * WARN, the memory provider's included, still reaches the output. Named in the bench's logback.xml.
 */
public final class DroppedJobsWarningFilter extends TurboFilter {

    private static final String LOGGER = "dev.jobq.memory.MemoryQueueProvider";
    private static final String FORMAT = "memory queue '{}' closed with {} unfinished job(s)";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        return level == Level.WARN && format != null && format.startsWith(FORMAT) && logger.getName().equals(LOGGER)
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
