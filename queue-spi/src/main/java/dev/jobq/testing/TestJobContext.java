package dev.jobq.testing;

import dev.jobq.Job;
import dev.jobq.JobCancelledException;
import dev.jobq.JobContext;
import dev.jobq.JobQueue;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.helpers.MessageFormatter;

/**
 * A {@link JobContext} for calling a handler directly in a test, without a queue: it records what
 * the handler logged and the progress it reported, and can be cancelled, as a timed-out attempt, or
 * one still running when its worker's {@code shutdownTimeout} passed, would be. It keeps the worker's
 * rules: progress outside 0–100 is refused, and {@link #throwIfCancelled()} throws
 * {@link JobCancelledException} once cancelled. The worker also
 * interrupts the handler's thread, which {@link #cancel()} cannot do (it does not know that thread):
 * to test a handler that blocks, interrupt the thread it runs on after {@code cancel()}. Thread-safe,
 * so a handler may use it from threads it starts.
 *
 * <pre>{@code
 * var job = new Job<>("job-1", "email:send", email, 1, JobOptions.defaults(), Instant.now(), null);
 * var context = TestJobContext.of(job);
 * handler.handle(job, context);
 * assertThat(context.progress()).containsExactly(50, 100);
 * }</pre>
 */
public final class TestJobContext implements JobContext {

    private final String jobId;
    private final int attempt;
    private final @Nullable String traceId;
    private final @Nullable JobQueue queue;
    private final Recorded recorded;

    /**
     * What the handler reported, and whether the attempt is cancelled: shared by a context and its copies
     * ({@link #withQueue}, {@link #withTraceId}). A test keeps the context it made and hands the handler a copy; each
     * recording on its own, the test's context read no logs or progress, and cancelling it stopped nothing.
     */
    private record Recorded(List<Integer> progress, List<String> logs, AtomicBoolean cancelled) {
        Recorded() {
            this(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new AtomicBoolean());
        }
    }

    private TestJobContext(String jobId, int attempt, @Nullable String traceId, @Nullable JobQueue queue,
            Recorded recorded) {
        this.jobId = Objects.requireNonNull(jobId, "jobId");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, got " + attempt);
        }
        this.attempt = attempt;
        this.traceId = traceId;
        this.queue = queue;
        this.recorded = recorded;
    }

    /** The context of {@code job}'s attempt: its id and attempt number, no trace id. */
    public static TestJobContext of(Job<?> job) {
        return new TestJobContext(job.id(), job.attempt(), null, null, new Recorded());
    }

    /** The context of attempt {@code attempt} (1-based) of a job with id {@code jobId}. */
    public static TestJobContext of(String jobId, int attempt) {
        return new TestJobContext(jobId, attempt, null, null, new Recorded());
    }

    /**
     * A copy whose job carries the trace id {@code traceId}, as one enqueued with it would. What the handler records
     * through either is read from both, and cancelling either cancels both.
     */
    public TestJobContext withTraceId(String traceId) {
        return new TestJobContext(jobId, attempt, Objects.requireNonNull(traceId, "traceId"), queue, recorded);
    }

    /**
     * A copy whose {@link #queue()} is {@code queue}, for a handler that enqueues follow-up jobs: a
     * {@code JobQueue} on the memory provider, not started, holds what it enqueues for the test to read. What the
     * handler records through either is read from both, and cancelling either cancels both.
     */
    public TestJobContext withQueue(JobQueue queue) {
        return new TestJobContext(jobId, attempt, traceId, Objects.requireNonNull(queue, "queue"), recorded);
    }

    /**
     * Cancels the attempt: {@link #isCancelled()} turns true and {@link #throwIfCancelled()} throws. It does not
     * interrupt the thread the handler runs on, as the worker does: a handler blocked in a wait or in I/O stops
     * only once the test interrupts that thread too.
     */
    public void cancel() {
        recorded.cancelled().set(true);
    }

    /** The progress the handler reported, in order. */
    public List<Integer> progress() {
        return List.copyOf(recorded.progress());
    }

    /**
     * The lines the handler logged through {@link #log}, formatted as SLF4J formats them: a last argument
     * that is an exception is the line's throwable, left out of the text, as in the worker's log.
     */
    public List<String> logs() {
        return List.copyOf(recorded.logs());
    }

    @Override
    public String jobId() {
        return jobId;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Optional<String> traceId() {
        return Optional.ofNullable(traceId);
    }

    @Override
    public void log(String format, Object... args) {
        // arrayFormat, as a logger's line: a trailing exception is the line's throwable, not an argument. A null
        // message (ctx.log(e.getMessage())) is the line "null", as the worker's log writes it: kept as null, it made
        // logs() throw NullPointerException, every other line lost with it.
        recorded.logs().add(String.valueOf(MessageFormatter.arrayFormat(format, args).getMessage()));
    }

    @Override
    public void progress(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress must be between 0 and 100, got " + percent);
        }
        recorded.progress().add(percent);
    }

    @Override
    public JobQueue queue() {
        if (queue == null) {
            throw new UnsupportedOperationException("this TestJobContext has no queue; give it one with "
                    + "withQueue(jobs), such as JobQueue.builder().build() on the memory provider");
        }
        return queue;
    }

    @Override
    public boolean isCancelled() {
        return recorded.cancelled().get();
    }
}
