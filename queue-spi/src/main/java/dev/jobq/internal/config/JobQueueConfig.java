package dev.jobq.internal.config;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A whole config, from a file or a builder, checked except for what only a provider factory knows.
 *
 * @param providers one section per named queue, "default" first, in file order
 * @param scheduler the scheduler section, or null when none is configured
 */
public record JobQueueConfig(Map<String, ProviderSection> providers, WorkerSettings worker,
                             @Nullable SchedulerSection scheduler) {

    public JobQueueConfig {
        providers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providers));
    }
}
