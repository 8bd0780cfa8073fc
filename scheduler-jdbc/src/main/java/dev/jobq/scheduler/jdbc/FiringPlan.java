package dev.jobq.scheduler.jdbc;

import dev.jobq.MisfirePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one look at a due recurring job enqueues, and where its schedule continues.
 *
 * <p>The job's stored next run {@code N} is due ({@code N ≤ now}). If it is on time (no more than
 * the misfire threshold late) it fires alone and the schedule moves to the occurrence after it;
 * the scheduler looks again at once, so a job a few occurrences behind within the threshold
 * catches up one by one. If it is later than that, the occurrences older than the threshold are
 * missed and the policy decides: {@code FIRE_ONCE} enqueues one run for all of them (as
 * occurrence {@code N}, so a retry after a crash has the same job id), {@code SKIP} none, and
 * {@code FIRE_ALL} each of them, oldest first, at most {@code fireAllLimit}. The schedule then
 * continues at the first occurrence within the threshold, which fires as on time if it is due.
 *
 * @param fires     the occurrences to enqueue, oldest first
 * @param nextRunAt where the schedule continues
 * @param dropped   true when missed occurrences were not enqueued each (skipped, collapsed into one, or
 *                  over the limit)
 */
record FiringPlan(List<Instant> fires, Instant nextRunAt, boolean dropped) {

    FiringPlan {
        fires = List.copyOf(fires);
    }

    static FiringPlan of(Schedule schedule, Instant nextRunAt, Instant now, MisfirePolicy policy,
                         Duration misfireThreshold, int fireAllLimit) {
        return of(schedule, nextRunAt, now, policy, misfireThreshold, fireAllLimit, null);
    }

    /**
     * As {@link #of(Schedule, Instant, Instant, MisfirePolicy, Duration, int)}, for a {@code FIRE_ALL} job whose try
     * failed partway through a burst of missed occurrences that ended at {@code fireAllUntil}: the burst goes on from
     * {@code nextRunAt}, the occurrence that failed, to its end, not fireAllLimit afresh. A {@code fireAllUntil} before
     * {@code nextRunAt} belongs to no burst (left by an older jobq) and is not read.
     */
    static FiringPlan of(Schedule schedule, Instant nextRunAt, Instant now, MisfirePolicy policy,
                         Duration misfireThreshold, int fireAllLimit, @Nullable Instant fireAllUntil) {
        Instant horizon = now.minus(misfireThreshold);
        if (!nextRunAt.isBefore(horizon)) {
            return new FiringPlan(List.of(nextRunAt), schedule.next(nextRunAt), false);
        }
        Instant continueAt = schedule.nextAfter(nextRunAt, horizon.minusNanos(1));
        return switch (policy) {
            case FIRE_ONCE -> new FiringPlan(List.of(nextRunAt), continueAt, schedule.next(nextRunAt).isBefore(horizon));
            case SKIP -> new FiringPlan(List.of(), continueAt, true);
            case FIRE_ALL -> {
                // Walks the missed occurrences only as far as the limit.
                List<Instant> fires = new ArrayList<>();
                Instant until = fireAllUntil == null || fireAllUntil.isBefore(nextRunAt) ? null : fireAllUntil;
                Instant occurrence = nextRunAt;
                while (occurrence.isBefore(horizon) && fires.size() < fireAllLimit
                        && (until == null || !occurrence.isAfter(until))) {
                    fires.add(occurrence);
                    occurrence = schedule.next(occurrence);
                }
                yield new FiringPlan(fires, continueAt, occurrence.isBefore(horizon));
            }
        };
    }
}
