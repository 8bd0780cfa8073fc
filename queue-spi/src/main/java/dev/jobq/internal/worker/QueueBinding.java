package dev.jobq.internal.worker;

import dev.jobq.internal.runtime.QueueCounters;
import dev.jobq.spi.QueueProvider;

/** A named queue as the worker consumes it: its provider and this process's counters for it. */
public record QueueBinding(String name, QueueProvider provider, QueueCounters counters) {
}
