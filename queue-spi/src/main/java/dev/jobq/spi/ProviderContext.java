package dev.jobq.spi;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import java.time.InstantSource;
import java.util.Objects;

/**
 * What a provider is created with.
 *
 * @param queueName the named queue this provider serves ("default" for the {@code provider:} section)
 * @param settings  its section of the config file, read through {@link Settings}
 * @param clock     the queue's clock; providers must use it, never {@code Instant.now()}
 * @param events    where the provider reports what it does to a job on its own, without the worker
 *                  deciding it: a message it dead-letters because it cannot be read
 *                  ({@link JobEvent.Dead}) or postpones for a newer worker ({@link JobEvent.Failed}).
 *                  The core passes the queue's listeners, so that no job is lost or set aside without
 *                  an event, and counts each in the queue's {@link dev.jobq.QueueStats#failed() failed}
 *                  (a {@code Dead} also in its dead), as it counts the attempts its worker ends.
 *                  Called on the provider's thread; quick and never throwing.
 */
public record ProviderContext(String queueName, Settings settings, InstantSource clock, JobListener events) {

    public ProviderContext {
        Objects.requireNonNull(queueName, "queueName");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(events, "events");
    }

    /** A context whose provider events reach no listener (a provider built outside a {@code JobQueue}). */
    public ProviderContext(String queueName, Settings settings, InstantSource clock) {
        this(queueName, settings, clock, event -> { });
    }
}
