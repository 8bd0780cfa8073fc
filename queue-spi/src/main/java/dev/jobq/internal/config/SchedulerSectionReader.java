package dev.jobq.internal.config;

import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.Settings;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code scheduler:}. Absent means no scheduler, unless {@code SCHEDULER_ENABLED} turns one on.
 * The factory checks the rest of the section. A section whose factory is missing is an error even
 * when disabled: this process still hands long delays and scheduled jobs to the scheduler's store,
 * and without the factory it would quietly have no scheduler at all.
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
        String type = section.string("type", SchedulerSection.DEFAULT_TYPE).strip(); // a variable's trailing newline
        if (type.isEmpty()) {
            type = SchedulerSection.DEFAULT_TYPE; // blanks alone (a variable read from an empty file) as an empty value
        }
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
            if (section.has("type")) {
                section.problem("type", catalog.unknownScheduler(type));
            } else if (!written) {
                // no scheduler: to point at; the variable made this one
                root.problem(EnvironmentOverrides.SCHEDULER_ENABLED, "turns on a scheduler (the file has no scheduler: "
                        + "section), but: " + catalog.unknownScheduler(type) + "; or unset "
                        + EnvironmentOverrides.SCHEDULER_ENABLED);
            } else {
                root.problem("scheduler", (enabled ? "is enabled" : "is written (with enabled: false this process "
                        + "still hands long delays and scheduled jobs to the scheduler's store)") + ", but: "
                        + catalog.unknownScheduler(type));
            }
            section.keys().forEach(section::markKnown);
        }
        return new SchedulerSection(enabled, type, pollInterval, section);
    }
}
