package dev.jobq.memory;

import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobScheduler;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A {@link JobScheduler} for a test about what the core does with one: it holds nothing, lists nothing, finds
 * nothing, and refuses to schedule or register (UnsupportedOperationException); a test overrides what it is about
 * ({@link #schedule}, {@link #listScheduled}). An interface, so a record can be one.
 */
interface StubScheduler extends JobScheduler {

    @Override
    default void start() {
    }

    @Override
    default String schedule(JobEnvelope envelope, Instant at) {
        throw new UnsupportedOperationException();
    }

    @Override
    default boolean cancel(String jobId) {
        return false;
    }

    @Override
    default List<ScheduledJobInfo> listScheduled(int limit) {
        return List.of();
    }

    @Override
    default RecurringJobInfo registerRecurring(RecurringJob definition, String payloadJson) {
        throw new UnsupportedOperationException();
    }

    @Override
    default boolean setRecurringEnabled(String name, boolean enabled) {
        return false;
    }

    @Override
    default boolean deleteRecurring(String name) {
        return false;
    }

    @Override
    default Optional<RecurringJobInfo> getRecurring(String name) {
        return Optional.empty();
    }

    @Override
    default List<RecurringJobInfo> listRecurring() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
