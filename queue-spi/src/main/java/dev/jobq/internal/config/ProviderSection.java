package dev.jobq.internal.config;

import dev.jobq.JobOptions;
import dev.jobq.spi.Settings;

/**
 * One provider section: {@code provider:} (the "default" queue) or an entry of {@code queues:}.
 *
 * @param settings the whole section, {@code type} included (already read), for the factory
 * @param implicit the "default" queue's section that nobody wrote: no {@code provider:} in the file,
 *                 no default provider in code, so the queue is in memory
 */
public record ProviderSection(String queueName, String type, Settings settings, boolean implicit) {

    public ProviderSection(String queueName, String type, Settings settings) {
        this(queueName, type, settings, false);
    }

    /** The "default" queue of this type when neither the file nor the code configures it. */
    public static ProviderSection implicitDefault(String type, Settings settings) {
        return new ProviderSection(JobOptions.DEFAULT_QUEUE, type, settings, true);
    }
}
