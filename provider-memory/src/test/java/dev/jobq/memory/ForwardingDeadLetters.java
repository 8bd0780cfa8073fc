package dev.jobq.memory;

import dev.jobq.DeadLetter;
import dev.jobq.DeadLetters;
import java.util.List;

/** A provider's own dead letters, forwarded: a test's overrides only the method it changes. */
class ForwardingDeadLetters implements DeadLetters {
    private final DeadLetters real;

    ForwardingDeadLetters(DeadLetters real) {
        this.real = real;
    }

    @Override
    public List<DeadLetter> list(int limit) {
        return real.list(limit);
    }

    @Override
    public boolean redrive(String jobId) {
        return real.redrive(jobId);
    }

    @Override
    public boolean delete(String jobId) {
        return real.delete(jobId);
    }
}
