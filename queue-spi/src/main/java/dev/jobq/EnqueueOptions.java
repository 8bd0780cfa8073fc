package dev.jobq;

import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one job is to be enqueued. Every option is optional; what is not set comes from the job type's
 * {@link HandlerOptions} where the enqueuing {@link JobQueue} has the type registered with them, else from
 * {@link JobOptions#defaults()}. Immutable and thread-safe.
 *
 * <pre>{@code
 * jobs.enqueue("reminder:send", reminder, EnqueueOptions.delay(Duration.ofHours(3)));
 * jobs.enqueue("webhook:send", hook, EnqueueOptions.builder().maxAttempts(5).priority(-1).build());
 * }</pre>
 *
 * <p>{@code delay} and {@code scheduledFor} are exclusive. A delay beyond what the provider can hold
 * (SQS standard queues: 15 minutes; FIFO queues: none) goes through the scheduler when one is
 * configured; otherwise the enqueue is rejected with a message naming the limit and how to enable the
 * scheduler. A {@code scheduledFor} in the future goes through the scheduler whenever one is
 * configured, so it survives a restart; without one it goes to the provider like a delay, and is
 * rejected the same way when it is further off than the provider can hold.
 */
public final class EnqueueOptions {

    private static final EnqueueOptions NONE = builder().build();
    /** The longest trace id: what the scheduler's column holds; a message's longer one is unreadable. */
    public static final int MAX_TRACE_ID = 255;
    /** How much of a refused trace id its refusal repeats. */
    private static final int TRACE_ID_PREVIEW_CHARS = 80;

    private final @Nullable Duration delay;
    private final @Nullable Instant scheduledFor;
    private final @Nullable Integer maxAttempts;
    /** The instants a four-digit-year ISO-8601 timestamp can name; {@code scheduledFor} must be one. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private final @Nullable Duration timeout;
    private final @Nullable Integer priority;
    private final @Nullable String deduplicationKey;
    private final @Nullable String queue;
    private final @Nullable String traceId;

    private EnqueueOptions(Builder b) {
        if (b.delay != null && b.scheduledFor != null) {
            throw new IllegalArgumentException("set either delay or scheduledFor, not both (delay "
                    + b.delay + ", scheduledFor " + b.scheduledFor + ")");
        }
        if (b.scheduledFor != null && (b.scheduledFor.isBefore(EARLIEST) || b.scheduledFor.isAfter(LATEST))) {
            throw new IllegalArgumentException("scheduledFor must be in the years 1 to 9999, got " + b.scheduledFor
                    + ": jobs carry it as an ISO-8601 timestamp, which has four-digit years; an instant that has "
                    + "passed runs the job at once, so for 'now' give Instant.now() or leave it unset");
        }
        if (b.delay != null && b.delay.isNegative()) {
            throw new IllegalArgumentException("delay must be ≥ 0, got " + b.delay);
        }
        if (b.maxAttempts != null && b.maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be ≥ 1, got " + b.maxAttempts);
        }
        if (b.timeout != null) {
            JobOptions.checkTimeout(b.timeout);
        }
        if (b.deduplicationKey != null && b.deduplicationKey.isBlank()) {
            throw new IllegalArgumentException("deduplicationKey must not be blank; leave it unset instead");
        }
        if (b.queue != null && b.queue.isBlank()) {
            throw new IllegalArgumentException("queue must not be blank; leave it unset for the default queue");
        }
        if (b.traceId != null && !isTraceId(b.traceId)) {
            throw new IllegalArgumentException("traceId must be 1 to " + MAX_TRACE_ID + " characters without control "
                    + "characters, got " + shownTraceId(b.traceId) + "; a W3C traceparent or an OpenTelemetry trace "
                    + "id fits; leave it unset for none");
        }
        this.delay = b.delay;
        this.scheduledFor = b.scheduledFor;
        this.maxAttempts = b.maxAttempts;
        this.timeout = b.timeout;
        this.priority = b.priority;
        this.deduplicationKey = b.deduplicationKey;
        this.traceId = b.traceId;
        this.queue = b.queue;
    }

    /**
     * A refused trace id as its refusal names it: quoted, its control characters escaped (a newline in it started a
     * line of its own in the log), a long one cut after {@value #TRACE_ID_PREVIEW_CHARS} characters, not inside an
     * emoji, with its length.
     */
    private static String shownTraceId(String traceId) {
        return UntrustedText.singleQuote(traceId, TRACE_ID_PREVIEW_CHARS);
    }

    /**
     * Whether {@code text} is a trace id a job may carry: 1 to {@value #MAX_TRACE_ID} characters, not blank,
     * without control characters. Enqueue refuses any other, and so does a worker reading a message.
     */
    public static boolean isTraceId(String text) {
        return !text.isBlank() && text.length() <= MAX_TRACE_ID && text.chars().noneMatch(Character::isISOControl);
    }

    /** No options: run as soon as possible with the defaults. */
    public static EnqueueOptions none() {
        return NONE;
    }

    /** Run after {@code delay}. */
    public static EnqueueOptions delay(Duration delay) {
        return builder().delay(delay).build();
    }

    /** Run at {@code instant} (or at once if it has passed). */
    public static EnqueueOptions at(Instant instant) {
        return builder().scheduledFor(instant).build();
    }

    /** Put the job on the named queue. */
    public static EnqueueOptions queue(String queue) {
        return builder().queue(queue).build();
    }

    /** A builder with no option set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with these options set, to change some of them. */
    public Builder toBuilder() {
        var b = new Builder();
        b.delay = delay;
        b.scheduledFor = scheduledFor;
        b.maxAttempts = maxAttempts;
        b.timeout = timeout;
        b.priority = priority;
        b.deduplicationKey = deduplicationKey;
        b.queue = queue;
        b.traceId = traceId;
        return b;
    }

    /** The delay before the job runs, or null for none. */
    public @Nullable Duration delay() {
        return delay;
    }

    /** The instant the job runs at, or null for none. */
    public @Nullable Instant scheduledFor() {
        return scheduledFor;
    }

    /** Runs in all, the first included, or null for the default. */
    public @Nullable Integer maxAttempts() {
        return maxAttempts;
    }

    /** The limit of one attempt, or null for the default. */
    public @Nullable Duration timeout() {
        return timeout;
    }

    /** The priority (lower runs first), or null for the default 0. */
    public @Nullable Integer priority() {
        return priority;
    }

    /** The deduplication key, or null for none. */
    public @Nullable String deduplicationKey() {
        return deduplicationKey;
    }

    /** The named queue, or null for the type's or the "default" queue. */
    public @Nullable String queue() {
        return queue;
    }

    /** The trace id the job carries in its envelope ({@link JobContext#traceId()} in its handler). */
    public @Nullable String traceId() {
        return traceId;
    }

    /** These options laid over {@code defaults}: what is set here wins. */
    public JobOptions resolve(JobOptions defaults) {
        Objects.requireNonNull(defaults, "defaults must not be null; pass JobOptions.defaults()");
        if (maxAttempts == null && timeout == null && priority == null && deduplicationKey == null && queue == null) {
            return defaults;
        }
        return new JobOptions(
                maxAttempts != null ? maxAttempts : defaults.maxAttempts(),
                timeout != null ? timeout : defaults.timeout(),
                priority != null ? priority : defaults.priority(),
                deduplicationKey != null ? deduplicationKey : defaults.deduplicationKey(),
                queue != null ? queue : defaults.queue());
    }

    /** Equal when every option is: options are values, and {@link RecurringJob}'s equality rests on theirs. */
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof EnqueueOptions o && Objects.equals(delay, o.delay)
                && Objects.equals(scheduledFor, o.scheduledFor) && Objects.equals(maxAttempts, o.maxAttempts)
                && Objects.equals(timeout, o.timeout) && Objects.equals(priority, o.priority)
                && Objects.equals(deduplicationKey, o.deduplicationKey) && Objects.equals(queue, o.queue)
                && Objects.equals(traceId, o.traceId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(delay, scheduledFor, maxAttempts, timeout, priority, deduplicationKey, queue, traceId);
    }

    @Override
    public String toString() {
        return "EnqueueOptions[delay=" + delay + ", scheduledFor=" + scheduledFor + ", maxAttempts=" + maxAttempts
                + ", timeout=" + timeout + ", priority=" + priority + ", deduplicationKey=" + deduplicationKey
                + ", queue=" + queue + ", traceId=" + traceId + "]";
    }

    /**
     * Builds {@link EnqueueOptions}; checks run in {@link #build()}, except that a setter given null throws
     * {@link NullPointerException} naming the option (leave an option unset instead). Not thread-safe.
     */
    public static final class Builder {
        private @Nullable Duration delay;
        private @Nullable Instant scheduledFor;
        private @Nullable Integer maxAttempts;
        private @Nullable Duration timeout;
        private @Nullable Integer priority;
        private @Nullable String deduplicationKey;
        private @Nullable String queue;
        private @Nullable String traceId;

        private Builder() {
        }

        /**
         * Runs the job once {@code delay} has passed (≥ 0; not with {@link #scheduledFor}). A delay longer
         * than the provider holds (SQS standard queues: 15 minutes) goes through the scheduler, and is
         * rejected when there is none.
         */
        public Builder delay(Duration delay) {
            this.delay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /**
         * Runs the job at {@code scheduledFor}, at once if it has passed (years 1 to 9999; not with
         * {@link #delay}). In the future it goes through the scheduler when one is configured.
         */
        public Builder scheduledFor(Instant scheduledFor) {
            this.scheduledFor = Objects.requireNonNull(scheduledFor, "scheduledFor");
            return this;
        }

        /**
         * Runs in all, the first included (≥ 1; 1 means no retry); unset, the type's {@link HandlerOptions}
         * or {@value JobOptions#DEFAULT_MAX_ATTEMPTS}. On SQS at most the redrive policy's
         * {@code maxReceiveCount}, else the enqueue is rejected.
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * The limit of one attempt (at least 1 ms), past which the handler is cancelled and interrupted and
         * the attempt fails; unset, the type's {@link HandlerOptions} or 30 s. On SQS at most 11h59m.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Lower runs first, FIFO within a priority; 0 unless set. A provider without priorities (SQS)
         * rejects any other value: use named queues there.
         */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /**
         * While a job of the same queue with this key waits, is delayed or held by the scheduler, or runs,
         * enqueueing returns that job's id instead of a new one (not blank). Rejected where the provider
         * cannot deduplicate (SQS standard queues); see {@link JobOptions#deduplicationKey()}.
         */
        public Builder deduplicationKey(String deduplicationKey) {
            this.deduplicationKey = Objects.requireNonNull(deduplicationKey, "deduplicationKey");
            return this;
        }

        /** The named queue the job goes to (a configured one); unset, the type's or {@code "default"}. */
        public Builder queue(String queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
            return this;
        }

        /**
         * A trace id for the job's envelope, in its handler's MDC and {@link JobContext#traceId()}: pass
         * {@code ctx.traceId()} on to the jobs a handler enqueues, or the caller's own trace id.
         */
        public Builder traceId(String traceId) {
            this.traceId = Objects.requireNonNull(traceId, "traceId");
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException naming the option and the value: both a delay and
         *                                  {@code scheduledFor}, or a value out of its range (a negative delay,
         *                                  {@code maxAttempts} below 1, a timeout under 1 ms, a blank key or
         *                                  queue, a bad trace id)
         */
        public EnqueueOptions build() {
            return new EnqueueOptions(this);
        }
    }
}
