/**
 * Observing a queue from outside its handlers: {@link dev.jobq.metrics.AttemptOutcomeListener}
 * turns the event stream into one {@link dev.jobq.metrics.AttemptOutcome} per finished attempt,
 * with its handler time, and {@link dev.jobq.metrics.JobQueueMetrics} binds those outcomes and the
 * queues' stats to a Micrometer registry. Only {@code JobQueueMetrics} needs Micrometer, an
 * optional dependency.
 */
@NullMarked
package dev.jobq.metrics;

import org.jspecify.annotations.NullMarked;
