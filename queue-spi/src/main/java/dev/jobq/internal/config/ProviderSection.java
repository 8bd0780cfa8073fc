package dev.jobq.internal.config;

import dev.jobq.spi.Settings;

/**
 * One provider section: {@code provider:} (the "default" queue) or an entry of {@code queues:}.
 *
 * @param settings the whole section, {@code type} included (already read), for the factory
 */
public record ProviderSection(String queueName, String type, Settings settings) {
}
