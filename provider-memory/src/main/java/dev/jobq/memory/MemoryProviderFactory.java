package dev.jobq.memory;

import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * The {@code memory} provider: jobs held in this process, for development, tests and single-process
 * use. Settings (all optional):
 *
 * <pre>{@code
 * provider:
 *   type: memory
 *   maxHistorySize: 1000     # completed jobs kept for getJob
 *   maxDeadLetters: 10000    # dead letters kept; the oldest is dropped (with a WARN) beyond it
 *   leaseDuration: 30s       # a delivery not settled or extended in this time is delivered again
 *   maxPayloadBytes: 1MiB    # larger payloads are rejected at enqueue
 * }</pre>
 *
 * <p>The provider is thread-safe and keeps nothing beyond the process. Leases, delays and retry
 * backoff run on the queue's injected clock; a blocked {@code receive} wakes at once on enqueue, on
 * {@code close()} (after which receives return empty and enqueues throw), and when the next job or
 * lease comes due. A delivery numbers its attempt as the envelope's attempts plus the deliveries so
 * far; a released delivery is not counted. While a job with the same id or deduplication key is
 * waiting, delayed or running, enqueue returns it as a duplicate. Acknowledging or failing a delivery
 * whose lease ended or that was released throws {@link dev.jobq.spi.LeaseLostException}
 * ({@link dev.jobq.spi.Feature#SETTLE_DETECTS_LOST_LEASE}); releasing one is ignored.
 *
 * <p>In code, without a config file:
 *
 * <pre>{@code
 * QueueProvider provider = MemoryProviderFactory.builder().clock(clock).leaseDuration(Duration.ofSeconds(5)).build();
 * JobQueue jobs = JobQueue.builder().provider(provider).clock(clock).build();
 * }</pre>
 */
public final class MemoryProviderFactory implements QueueProviderFactory {

    public static final String TYPE = "memory";
    public static final int DEFAULT_MAX_HISTORY_SIZE = 1000;
    public static final int DEFAULT_MAX_DEAD_LETTERS = 10_000;
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

    /** For {@link java.util.ServiceLoader}. */
    public MemoryProviderFactory() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Settings settings) {
        read(settings);
        settings.checkNoUnknownKeys();
    }

    @Override
    public QueueProvider create(ProviderContext context) {
        Settings settings = context.settings();
        validate(settings);
        settings.throwIfInvalid();
        return new MemoryQueueProvider(context.queueName(), context.clock(), read(settings));
    }

    /** A builder for a memory provider made in code, with the defaults of the config file. */
    public static Builder builder() {
        return new Builder();
    }

    private static MemoryLimits read(Settings settings) {
        int maxHistorySize = settings.integer("maxHistorySize", DEFAULT_MAX_HISTORY_SIZE, 0, Integer.MAX_VALUE);
        int maxDeadLetters = settings.integer("maxDeadLetters", DEFAULT_MAX_DEAD_LETTERS, 0, Integer.MAX_VALUE);
        Duration leaseDuration = settings.duration("leaseDuration", DEFAULT_LEASE_DURATION,
                MemoryLimits.MIN_LEASE, MemoryLimits.MAX_LEASE);
        long maxPayloadBytes = settings.bytes("maxPayloadBytes", DEFAULT_MAX_PAYLOAD_BYTES, 1, Integer.MAX_VALUE);
        return new MemoryLimits(maxHistorySize, maxDeadLetters, leaseDuration, (int) maxPayloadBytes);
    }

    /**
     * Builds a memory provider in code. Each setter checks its value at once and throws
     * {@link IllegalArgumentException} naming the setting and the bad value. Not thread-safe.
     */
    public static final class Builder {

        private String queueName = "default";
        private InstantSource clock = Clock.systemUTC();
        private MemoryLimits limits = MemoryLimits.DEFAULTS;

        private Builder() {
        }

        /**
         * The queue the provider serves, for its lines about no one job ("default" unless set): the WARN of jobs
         * dropped at close, of its clock, a dead-letter listing's bad limit. Give the name it is attached under,
         * {@code JobQueue.builder().queue("reports", provider)}, or they name 'default'. A line about one job (its
         * {@code getJob}, a payload over the limit, a lost lease, an enqueue after close, a dead letter dropped or
         * replaced) names the queue the job was enqueued to either way.
         */
        public Builder queueName(String queueName) {
            Objects.requireNonNull(queueName, "queueName");
            if (queueName.isBlank()) {
                throw new IllegalArgumentException("queueName must not be blank");
            }
            this.queueName = queueName;
            return this;
        }

        /**
         * The clock for delays, leases and timestamps; pass the same one to the {@code JobQueue}.
         * A {@link dev.jobq.testing.SettableClock} wakes blocked receivers when it is moved.
         */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Completed jobs kept for {@code getJob} (≥ 0, 1000 by default). */
        public Builder maxHistorySize(int maxHistorySize) {
            limits = new MemoryLimits(maxHistorySize, limits.maxDeadLetters(), limits.leaseDuration(),
                    limits.maxPayloadBytes());
            return this;
        }

        /** Dead letters kept; beyond it the oldest is dropped with a WARN (≥ 0, 10,000 by default). */
        public Builder maxDeadLetters(int maxDeadLetters) {
            limits = new MemoryLimits(limits.maxHistorySize(), maxDeadLetters, limits.leaseDuration(),
                    limits.maxPayloadBytes());
            return this;
        }

        /**
         * How long a delivery stays leased unless settled or extended; after it the job is delivered again
         * (250 ms–1 day, 30 s by default; the worker's heartbeats extend it while the handler runs).
         */
        public Builder leaseDuration(Duration leaseDuration) {
            limits = new MemoryLimits(limits.maxHistorySize(), limits.maxDeadLetters(), leaseDuration,
                    limits.maxPayloadBytes());
            return this;
        }

        /** The largest payload taken at enqueue, in UTF-8 bytes of its JSON (≥ 1, 1 MiB by default). */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            limits = new MemoryLimits(limits.maxHistorySize(), limits.maxDeadLetters(), limits.leaseDuration(),
                    maxPayloadBytes);
            return this;
        }

        /** The provider; give it to {@code JobQueue.builder().provider(...)}, which closes it. */
        public QueueProvider build() {
            return new MemoryQueueProvider(queueName, clock, limits);
        }
    }
}
