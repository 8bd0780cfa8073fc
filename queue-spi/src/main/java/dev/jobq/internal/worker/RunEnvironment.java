package dev.jobq.internal.worker;

import dev.jobq.Backoff;
import dev.jobq.JobQueue;
import dev.jobq.internal.runtime.EventBus;
import dev.jobq.internal.runtime.HandlerRegistry;
import java.time.InstantSource;

/**
 * What every attempt needs from the queue: handlers (with their payload readers), events, the clock, and
 * the queue itself for {@link dev.jobq.JobContext#queue()}.
 */
public record RunEnvironment(HandlerRegistry handlers, EventBus events, InstantSource clock, Backoff defaultBackoff,
                             JobQueue queue) {
}
