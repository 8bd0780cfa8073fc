package dev.jobq.cli.demo;

import dev.jobq.EnqueueOptions;
import java.util.Objects;

/**
 * One job of the demo and what it should end as.
 *
 * @param kind           why it is in the demo
 * @param type           its job type
 * @param payload        its payload
 * @param options        how it is enqueued
 * @param outcome        the state it must end in
 * @param failedAttempts how many of its attempts must fail before that
 */
record PlannedJob(Kind kind, String type, Object payload, EnqueueOptions options, Outcome outcome,
                  int failedAttempts) {

    PlannedJob {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(outcome, "outcome");
        if (failedAttempts < 0) {
            throw new IllegalArgumentException("failedAttempts must be ≥ 0, got " + failedAttempts);
        }
    }

    /**
     * The parts of the demo. A scheduled job goes through {@code JobQueue.scheduler()}; the demo's
     * recurring job is not planned job by job (its occurrences are counted apart, see
     * {@link DemoTracker}).
     */
    enum Kind {
        PLAIN("plain"),
        FLAKY("flaky, then succeeds"),
        FAILING("always fails"),
        DELAYED("delayed"),
        SCHEDULED("scheduled"),
        HIGH_PRIORITY("high priority");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** The final state a job must reach. */
    enum Outcome {
        COMPLETED, DEAD
    }
}
