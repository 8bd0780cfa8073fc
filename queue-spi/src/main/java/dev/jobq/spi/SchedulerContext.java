package dev.jobq.spi;

import java.time.InstantSource;
import java.util.Objects;

/**
 * What a scheduler is created with.
 *
 * @param settings its section of the config file ({@code scheduler:})
 * @param clock    the queue's clock; schedulers must use it, never {@code Instant.now()}
 * @param sink     where due jobs go
 */
public record SchedulerContext(Settings settings, InstantSource clock, JobSink sink) {

    public SchedulerContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sink, "sink");
    }
}
