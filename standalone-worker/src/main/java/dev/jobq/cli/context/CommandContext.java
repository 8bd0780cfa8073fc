package dev.jobq.cli.context;

import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What every {@code jobq} command is given rather than reaching for it itself: the environment
 * (for {@code JOBQ_CONFIG}, {@code ${VAR}} substitution and the {@code QUEUE_*} and
 * {@code SCHEDULER_*} overrides), how a queue is opened, and where a worker's stop signals come
 * from. The process passes its own; tests pass theirs.
 */
public record CommandContext(Map<String, String> environment, QueueOpener opener, Supplier<StopSignals> stopSignals) {

    public CommandContext {
        environment = Map.copyOf(environment);
        Objects.requireNonNull(opener, "opener");
        Objects.requireNonNull(stopSignals, "stopSignals");
    }
}
