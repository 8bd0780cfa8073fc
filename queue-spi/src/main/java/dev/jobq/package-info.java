/**
 * The jobq user API: build a {@link dev.jobq.JobQueue}, register {@link dev.jobq.JobHandler}s by
 * job type, enqueue jobs with {@link dev.jobq.EnqueueOptions}, listen to {@link dev.jobq.JobEvent}s
 * and read {@link dev.jobq.QueueStats}. Everything here is stable API; provider authors look at
 * {@code dev.jobq.spi}, and nothing outside jobq should touch {@code dev.jobq.internal}.
 */
@NullMarked
package dev.jobq;

import org.jspecify.annotations.NullMarked;
