package dev.jobq.sqs;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deduplication ids this provider sent to a FIFO queue in the last five minutes, with the job id
 * each stands for. SQS drops a second message with the same deduplication id within its five-minute
 * window but answers as if it were accepted and never says which job it kept; this map lets an
 * enqueue from this process return the kept job's id as a duplicate. A duplicate sent by another
 * process is dropped by SQS all the same, but its enqueue cannot learn the first job's id
 * (docs/sqs.md).
 */
final class FifoDeduplication {

    /** SQS FIFO's deduplication interval. */
    static final Duration WINDOW = Duration.ofMinutes(5);

    private record Claim(String jobId, Instant at) {
    }

    private final Map<String, Claim> claims = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private volatile Instant nextSweep = Instant.MIN;

    FifoDeduplication(InstantSource clock) {
        this.clock = clock;
    }

    /**
     * Claims {@code deduplicationId} for {@code jobId}: empty when the claim is new (send the
     * message), else the id of the job that holds it within the window.
     */
    Optional<String> claim(String deduplicationId, String jobId) {
        Instant now = clock.instant();
        forgetExpired(now);
        var mine = new Claim(jobId, now);
        Claim held = claims.merge(deduplicationId, mine,
                (old, fresh) -> old.at().plus(WINDOW).isAfter(fresh.at()) ? old : fresh);
        return held == mine ? Optional.empty() : Optional.of(held.jobId());
    }

    /** How many deduplication ids are held now, expired ones not yet forgotten included; for tests. */
    int held() {
        return claims.size();
    }

    /** Withdraws a claim whose message was not sent. */
    void withdraw(String deduplicationId, String jobId) {
        claims.computeIfPresent(deduplicationId, (id, claim) -> claim.jobId().equals(jobId) ? null : claim);
    }

    private void forgetExpired(Instant now) {
        if (now.isBefore(nextSweep)) {
            return;
        }
        nextSweep = now.plusSeconds(10);
        for (Iterator<Claim> it = claims.values().iterator(); it.hasNext(); ) {
            if (!it.next().at().plus(WINDOW).isAfter(now)) {
                it.remove();
            }
        }
    }
}
