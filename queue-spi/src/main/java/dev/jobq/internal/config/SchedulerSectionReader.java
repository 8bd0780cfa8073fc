package dev.jobq.internal.config;

import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.Settings;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code scheduler:}. Absent means no scheduler, unless {@code SCHEDULER_ENABLED} turns one on.
 * The factory checks the rest of the section when it is on the classpath; a disabled section whose
 * factory is missing is not an error, since this process does not run it.
 */
final class SchedulerSectionReader {

    private SchedulerSectionReader() {
    }

    static @Nullable SchedulerSection read(Settings root, EnvironmentOverrides env, ProviderCatalog catalog) {
        boolean written = root.has("scheduler");
        Settings section = root.section("scheduler");
        if (!written && !Boolean.TRUE.equals(env.schedulerEnabled())) {
            return null;
        }
        boolean enabled = EnvironmentOverrides.or(env.schedulerEnabled(), section.bool("enabled", false));
        String type = section.string("type", SchedulerSection.DEFAULT_TYPE);
        Duration pollInterval = EnvironmentOverrides.or(env.schedulerPollInterval(), section.duration("pollInterval",
                SchedulerSection.DEFAULT_POLL_INTERVAL, Limits.MIN_POLL_INTERVAL, Limits.MAX_POLL_INTERVAL));
        if (env.schedulerPollInterval() != null) {
            // The factory reads pollInterval from its section: it must see the override too.
            section = section.with("pollInterval", env.schedulerPollInterval().toString());
        }
        Optional<JobSchedulerFactory> factory = catalog.scheduler(type);
        if (factory.isPresent()) {
            factory.get().validate(section);
        } else {
            if (enabled && section.has("type")) {
                section.problem("type", catalog.unknownScheduler(type));
            } else if (enabled) {
                root.problem("scheduler", "is enabled, but: " + catalog.unknownScheduler(type));
            }
            section.keys().forEach(section::markKnown);
        }
        return new SchedulerSection(enabled, type, pollInterval, section);
    }
}
