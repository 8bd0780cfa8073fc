package dev.jobq.scheduler.jdbc;

import dev.jobq.JobRejectedException;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import java.time.InstantSource;
import java.util.Set;

/**
 * A process's queues as the core's sink has them: a job of another queue is rejected as of an unknown queue, and
 * {@link #serves} says which it has. What it takes it records.
 */
final class QueuesSink implements JobSink {

    private final RecordingSink recorded;
    private final Set<String> queues;

    QueuesSink(InstantSource clock, String... queues) {
        this.recorded = new RecordingSink(clock);
        this.queues = Set.of(queues);
    }

    RecordingSink recorded() {
        return recorded;
    }

    @Override
    public EnqueueResult submit(JobEnvelope envelope) {
        if (!queues.contains(envelope.queue())) {
            throw new JobRejectedException("unknown queue '" + envelope.queue() + "' (configured: "
                    + String.join(", ", queues) + "); add it under 'queues:' in jobq.yaml");
        }
        return recorded.submit(envelope);
    }

    @Override
    public boolean serves(String queue) {
        return queues.contains(queue);
    }
}
