package dev.jobq.spi;

import java.time.InstantSource;
import java.util.Objects;

/**
 * What a provider is created with.
 *
 * @param queueName the named queue this provider serves ("default" for the {@code provider:} section)
 * @param settings  its section of the config file, read through {@link Settings}
 * @param clock     the queue's clock; providers must use it, never {@code Instant.now()}
 */
public record ProviderContext(String queueName, Settings settings, InstantSource clock) {

    public ProviderContext {
        Objects.requireNonNull(queueName, "queueName");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
    }
}
