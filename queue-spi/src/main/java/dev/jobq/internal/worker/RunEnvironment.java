package dev.jobq.internal.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.Backoff;
import dev.jobq.internal.runtime.EventBus;
import dev.jobq.internal.runtime.HandlerRegistry;
import java.time.InstantSource;

/** What every attempt needs from the queue: handlers, events, the payload mapper, the clock. */
public record RunEnvironment(HandlerRegistry handlers, EventBus events, ObjectMapper mapper, InstantSource clock,
                             Backoff defaultBackoff) {
}
