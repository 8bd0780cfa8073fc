package dev.jobq.sqs;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deduplication ids this provider sent to a FIFO queue in the last five minutes, with the job id
 * each stands for. SQS drops a second message with the same deduplication id within its five-minute
 * window but answers as if it were accepted and never says which job it kept; this map lets an
 * enqueue from this process return the kept job's id as a duplicate. A duplicate sent by another
 * process is dropped by SQS all the same, but its enqueue cannot learn the first job's id
 * (docs/sqs.md). A claim whose message is still on its way answers no duplicate yet: the enqueue
 * that meets it waits for that send, and claims the id itself if the send failed, as no job then
 * holds the key.
 */
final class FifoDeduplication {

    /** SQS FIFO's deduplication interval. */
    static final Duration WINDOW = Duration.ofMinutes(5);

    /**
     * A job's claim; {@code sent} completes true once its message is on the queue, false when withdrawn. {@code at}
     * is when it was claimed, and once sent, when SQS answered the send.
     */
    private record Claim(String jobId, Instant at, CompletableFuture<Boolean> sent) {
    }

    private final Map<String, Claim> claims = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private volatile Instant nextSweep = Instant.MIN;

    FifoDeduplication(InstantSource clock) {
        this.clock = clock;
    }

    /**
     * Claims {@code deduplicationId} for {@code jobId}: empty when the claim is new (send the
     * message, then {@link #sent} or {@link #withdraw}), else the id of the job that holds it within
     * the window. A claim whose message is still being sent is waited for: the key is that job's only
     * once SQS has stored it.
     */
    Optional<String> claim(String deduplicationId, String jobId) {
        while (true) {
            Instant now = clock.instant();
            forgetExpired(now);
            var mine = new Claim(jobId, now, new CompletableFuture<>());
            // A claim still being sent stays, however old: its sender confirms or withdraws it, and waiters wait for that.
            Claim held = claims.merge(deduplicationId, mine, (old, fresh) -> !old.sent().isDone()
                    || old.at().plus(WINDOW).isAfter(fresh.at()) ? old : fresh);
            if (held == mine) {
                return Optional.empty();
            }
            if (held.sent().join()) {
                return Optional.of(held.jobId());
            }
        }
    }

    /** Confirms a claim whose message SQS has stored: enqueues waiting for it answer it as the duplicate. */
    void sent(String deduplicationId, String jobId) {
        // SQS's window runs from when it stored the message, which may be as late as its answer: timed from the start
        // of a slow send (the SDK's attempts), the claim ran out first, and an enqueue then sent a job SQS dropped.
        Claim claim = claims.computeIfPresent(deduplicationId, (id, held) -> held.jobId().equals(jobId)
                ? new Claim(jobId, clock.instant(), held.sent()) : held);
        if (claim != null && claim.jobId().equals(jobId)) {
            claim.sent().complete(true);
        }
    }

    /** How many deduplication ids are held now, expired ones not yet forgotten included; for tests. */
    int held() {
        return claims.size();
    }

    /** Withdraws a claim whose message was not sent; an enqueue waiting for it claims the id anew. */
    void withdraw(String deduplicationId, String jobId) {
        claims.computeIfPresent(deduplicationId, (id, claim) -> {
            if (!claim.jobId().equals(jobId)) {
                return claim;
            }
            claim.sent().complete(false);
            return null;
        });
    }

    private void forgetExpired(Instant now) {
        if (now.isBefore(nextSweep)) {
            return;
        }
        nextSweep = now.plusSeconds(10);
        // removeIf on a ConcurrentHashMap's values removes an entry only while it still holds the value tested;
        // an iterator's remove() removed the key whatever it held by then, a fresh claim merged in meanwhile too.
        claims.values().removeIf(claim -> claim.sent().isDone() && !claim.at().plus(WINDOW).isAfter(now));
    }
}
