package dev.jobq.examples;

import dev.jobq.Job;
import dev.jobq.JobCancelledException;
import dev.jobq.JobContext;
import dev.jobq.JobOptions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A context for calling a handler directly: a fixed attempt, the progress it reported, a cancel switch. */
final class RecordingContext implements JobContext {

    private final int attempt;
    private final List<Integer> progress = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    RecordingContext(int attempt) {
        this.attempt = attempt;
    }

    static <T> Job<T> job(String type, T payload, int attempt) {
        return new Job<>("job-1", type, payload, attempt, JobOptions.defaults(), Instant.EPOCH, null);
    }

    List<Integer> progress() {
        return progress;
    }

    void cancel() {
        cancelled = true;
    }

    @Override
    public String jobId() {
        return "job-1";
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public void log(String format, Object... args) {
    }

    @Override
    public void progress(int percent) {
        progress.add(percent);
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void throwIfCancelled() {
        if (cancelled) {
            throw new JobCancelledException("cancelled");
        }
    }
}
