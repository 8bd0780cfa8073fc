package dev.jobq.spi;

import dev.jobq.RecurringJob;

/**
 * Creates schedulers of one type ("jdbc"). Registered in
 * {@code META-INF/services/dev.jobq.spi.JobSchedulerFactory}; selected by the {@code type:} of the
 * {@code scheduler:} section (default "jdbc").
 */
public interface JobSchedulerFactory {

    /** The name the {@code scheduler:} section's {@code type:} selects: "jdbc". */
    String type();

    /** Checks the settings without connecting; problems go to {@code settings}. */
    void validate(Settings settings);

    /**
     * Checks, without connecting, what {@link JobScheduler#registerRecurring} of this type would refuse in the
     * job itself (a schedule it cannot read, a name too long for it), so that a tool can refuse bad input
     * before it opens the scheduler's store: the {@code jobq recurring add} command, whose database may be down.
     * The default checks nothing; {@code registerRecurring} checks all the same.
     *
     * @throws IllegalArgumentException naming the job, the value and the fix, as {@code registerRecurring} would
     */
    default void checkRecurring(RecurringJob definition) {
    }

    /**
     * Creates the queue's scheduler: reads every setting it knows from {@link SchedulerContext#settings()}
     * and calls {@link Settings#throwIfInvalid()} before it connects, then connects (and prepares its
     * store). Throws {@link dev.jobq.JobQueueException} naming what to fix when it cannot connect; the
     * queue's build then fails with it.
     */
    JobScheduler create(SchedulerContext context);
}
