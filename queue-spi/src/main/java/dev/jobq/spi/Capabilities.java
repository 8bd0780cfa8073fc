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
 * @param maxPayloadBytes the largest encoded envelope in bytes
 * @param features        optional features supported
 */
public record Capabilities(Duration maxDelay, int maxPayloadBytes, Set<Feature> features) {

    /** For providers that hold any delay. */
    public static final Duration UNLIMITED_DELAY = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    public Capabilities {
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be ≥ 1, got " + maxPayloadBytes);
        }
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    }

    public boolean supports(Feature feature) {
        return features.contains(feature);
    }
}
