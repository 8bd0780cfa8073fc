package dev.jobq.spi;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a provider can hold. The core routes delays beyond {@code maxDelay} to the scheduler and
 * rejects payloads over {@code maxPayloadBytes} before they reach the provider.
 *
 * @param maxDelay        the longest delay the provider holds natively ({@link #UNLIMITED_DELAY} for any)
 * @param maxPayloadBytes the largest payload, in UTF-8 bytes of its JSON, the provider takes: the core refuses
 *                        a larger one before it reaches the provider, whose {@link QueueProvider#enqueue} refuses
 *                        it too (the TCK checks it). The envelope around the payload is not counted: a provider
 *                        whose limit is on the whole message gives that limit less room for the envelope here,
 *                        and refuses a message still over it itself (SQS: the queue's message size less 4 KiB)
 * @param features        optional features supported
 * @param receiveBatch    the most jobs one {@link QueueProvider#receive} fetches in one round trip to a
 *                        remote service (SQS: 10; SQS FIFO: 1). While a backlog lasts, the worker waits
 *                        a few milliseconds for that many free permits before it receives, so that
 *                        each round trip fetches a full batch instead of the one or two jobs whose
 *                        handlers just finished. 1 (no waiting) for providers whose receive costs no
 *                        round trip.
 * @param maxAttempts     the most attempts the provider lets a job have before it takes the job away on
 *                        its own ({@link #UNLIMITED_ATTEMPTS} when it never does): SQS moves a message to
 *                        the queue's DLQ after the redrive policy's {@code maxReceiveCount} receives, without
 *                        the job's error. The core refuses a job with more {@code maxAttempts} at enqueue.
 * @param maxTimeout      the longest a handler may run without its job being delivered again beside it
 *                        ({@link #UNLIMITED_TIMEOUT} for any): SQS hides a received message for at most 12
 *                        hours, however often the lease is extended. The core refuses a longer job timeout
 *                        at enqueue.
 */
public record Capabilities(Duration maxDelay, int maxPayloadBytes, Set<Feature> features, int receiveBatch,
                           int maxAttempts, Duration maxTimeout) {

    /** For providers that hold any delay. */
    public static final Duration UNLIMITED_DELAY = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
    /** For providers that let a job have any number of attempts. */
    public static final int UNLIMITED_ATTEMPTS = Integer.MAX_VALUE;
    /** For providers that keep a job from others for as long as its handler runs: the longest timeout a job carries. */
    public static final Duration UNLIMITED_TIMEOUT = Duration.ofMillis(Long.MAX_VALUE);

    public Capabilities {
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be ≥ 1, got " + maxPayloadBytes);
        }
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        if (receiveBatch < 1) {
            throw new IllegalArgumentException("receiveBatch must be ≥ 1, got " + receiveBatch);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be ≥ 1, got " + maxAttempts);
        }
        Objects.requireNonNull(maxTimeout, "maxTimeout");
        if (!maxTimeout.isPositive()) {
            throw new IllegalArgumentException("maxTimeout must be positive, got " + maxTimeout);
        }
    }

    /** Capabilities of a provider that lets a job have any number of attempts, each as long as it runs. */
    public Capabilities(Duration maxDelay, int maxPayloadBytes, Set<Feature> features, int receiveBatch) {
        this(maxDelay, maxPayloadBytes, features, receiveBatch, UNLIMITED_ATTEMPTS, UNLIMITED_TIMEOUT);
    }

    /** Capabilities of a provider whose receive costs no round trip ({@code receiveBatch} 1). */
    public Capabilities(Duration maxDelay, int maxPayloadBytes, Set<Feature> features) {
        this(maxDelay, maxPayloadBytes, features, 1);
    }

    /** Whether the provider has {@code feature}. */
    public boolean supports(Feature feature) {
        return features.contains(feature);
    }
}
