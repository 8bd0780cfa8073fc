package dev.jobq.spi;

/**
 * What the provider can count; -1 where it cannot tell.
 *
 * @param waiting  ready to be received
 * @param delayed  waiting for a delay or retry backoff
 * @param inFlight leased and not yet settled
 * @param dead     in the dead letters
 */
public record ProviderStats(long waiting, long delayed, long inFlight, long dead) {

    public static final long UNKNOWN = -1;
}
