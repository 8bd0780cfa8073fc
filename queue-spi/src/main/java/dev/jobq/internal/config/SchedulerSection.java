package dev.jobq.internal.config;

import dev.jobq.spi.Settings;
import java.time.Duration;

/**
 * The {@code scheduler:} section.
 *
 * @param enabled      whether this process runs a scheduler (it is also created, without firing,
 *                     when a {@code JobQueue} needs one to route long delays)
 * @param type         the scheduler factory's name ("jdbc")
 * @param pollInterval the longest sleep between looks at the store, for rows written by others
 * @param settings     the whole section for the factory ({@code enabled}, {@code type} and
 *                     {@code pollInterval} already read)
 */
public record SchedulerSection(boolean enabled, String type, Duration pollInterval, Settings settings) {

    public static final String DEFAULT_TYPE = "jdbc";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(60);
}
