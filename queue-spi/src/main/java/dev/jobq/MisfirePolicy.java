package dev.jobq;

/** What a recurring job does about occurrences that fell due while no scheduler was running. */
public enum MisfirePolicy {
    /** Run once for all the missed occurrences, then continue on the schedule. The default. */
    FIRE_ONCE,
    /** Run none of the missed occurrences; continue with the next one in the future. */
    SKIP,
    /** Run every missed occurrence, up to a cap, then continue on the schedule. */
    FIRE_ALL
}
