package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * Registers nothing until the test opens the {@value #GATE} {@linkplain Gate gate} (at most two minutes),
 * logging "registration waits for gate start" first: a worker whose start-up takes as long as the test
 * likes, as one does that waits for a slow provider, a database migration or a big handler jar.
 */
public final class SlowStartModule implements JobHandlerModule {

    public static final String GATE = "start";
    private static final Duration LONGEST = Duration.ofMinutes(2);

    @Override
    public void register(JobHandlerRegistry registry) {
        LoggerFactory.getLogger(SlowStartModule.class).info("registration waits for gate {}", GATE);
        try {
            if (!Gate.awaitOpen(GATE, LONGEST)) {
                throw new IllegalStateException("gate " + GATE + " stayed shut for " + LONGEST);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for gate " + GATE, e);
        }
    }
}
