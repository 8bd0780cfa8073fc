package dev.jobq.spi;

import dev.jobq.DeadLetters;
import dev.jobq.JobInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Storage and delivery for one named queue. Implementations are thread-safe: many producers call
 * {@link #enqueue} while the worker receives and settles deliveries from other threads.
 *
 * <p>Contract (checked by the TCK, DESIGN §4): delivery is at least once; a delivery not settled
 * before its lease ends is delivered again with its attempt number one higher; the live copy of a
 * dead job is removed only after its dead-letter copy is written; {@link #close()} wakes receivers
 * blocked in {@link #receive}.
 */
public interface QueueProvider extends AutoCloseable {

    /**
     * What this provider can do: its longest delay, its payload limit, its features. The core reads it on
     * every enqueue (for its size, delay, priority and deduplication checks), from any thread: answer the
     * same value each time, without I/O.
     */
    Capabilities capabilities();

    /**
     * Stores a job, visible after {@code delay} (never more than {@link Capabilities#maxDelay()};
     * the core routes longer ones elsewhere). Where {@link Feature#DEDUPLICATION} is supported, a job
     * whose id or deduplication key matches a waiting, delayed or running job is not stored again: the existing
     * id comes back as a duplicate. Without it a job is stored as given (SQS standard queues keep no
     * record of ids), and the contract's same-id test is in its deduplication group.
     */
    EnqueueResult enqueue(JobEnvelope envelope, Duration delay);

    /**
     * Throws {@link dev.jobq.JobRejectedException} if this provider would refuse {@code envelope}
     * whatever its delay, for instance because the whole message would be over its size limit. The
     * core calls it for a job it gives the scheduler to hold first (a delay beyond
     * {@link Capabilities#maxDelay()}, a job for an instant, a recurring job's payload), so that a
     * job this provider could never take is refused when it is enqueued, to its caller, and not when
     * it comes due, where no caller sees it. The scheduler may write the envelope's times and id
     * anew before it hands the job on, so a provider keeps a little room for those. The default
     * accepts every envelope: {@link #enqueue} checks nothing more than the core already has.
     */
    default void checkAcceptable(JobEnvelope envelope) {
    }

    /**
     * Stores several jobs with the same delay, each as {@link #enqueue} would; in the order given
     * where the provider keeps an order ({@link Feature#ORDERED}). Answers one outcome per envelope,
     * in the same order: a job that is refused does not stop the others. The default enqueues them
     * one after another; a provider that sends in batches sends them together.
     */
    default List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
        List<EnqueueOutcome> outcomes = new ArrayList<>(envelopes.size());
        for (JobEnvelope envelope : envelopes) {
            try {
                outcomes.add(EnqueueOutcome.of(enqueue(envelope, delay)));
            } catch (RuntimeException e) {
                outcomes.add(EnqueueOutcome.failed(e));
            }
        }
        return outcomes;
    }

    /**
     * Leases up to {@code max} visible jobs, waiting up to {@code wait} for the first one. Returns
     * early, possibly empty, when the provider is closed or the thread is interrupted (the
     * interrupt flag is left set).
     */
    List<ReceivedJob> receive(int max, Duration wait);

    /**
     * The job is done: remove it.
     *
     * @throws LeaseLostException where the provider can tell that it no longer holds this delivery (its lease ran out
     *                            and the job was delivered again, or is due to be): the job is left to that other
     *                            delivery, and the worker neither announces nor counts this attempt's outcome. It must
     *                            do so where it declares {@link Feature#SETTLE_DETECTS_LOST_LEASE}; a provider that
     *                            cannot tell (an SQS delete with an old receipt may succeed and delete nothing) ignores
     *                            such a settle, and the worker then announces and counts the outcome beside the other
     *                            delivery's. Never for a delivery still held: one within its lease, neither settled
     *                            nor released (nor from {@link #fail}, whatever else that throws)
     */
    void acknowledge(ReceivedJob job);

    /**
     * Acknowledges {@code job}, then leases up to {@code max} jobs visible now, without waiting. The
     * worker calls it on providers that receive in-process ({@link Feature#LOCAL_RECEIVE}), whose
     * handler threads go on to their next job once a job succeeded; such a provider does both in one
     * step (the memory provider: one hold of its lock per job instead of two). The default calls
     * {@link #acknowledge}, then {@link #receive} with no wait; if the receive throws, the
     * acknowledgement stands.
     *
     * @throws LeaseLostException as {@link #acknowledge} does, having leased nothing
     */
    default List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
        acknowledge(job);
        return receive(max, Duration.ZERO);
    }

    /**
     * The attempt failed: retry after a delay or dead-letter it, as {@code failure} says.
     *
     * @throws LeaseLostException as {@link #acknowledge} does, having neither retried nor dead-lettered the job. A
     *                            retry's {@code Failed} was announced before this call (so that it comes before the
     *                            next attempt's {@code Started}); where the provider declares
     *                            {@link Feature#SETTLE_DETECTS_LOST_LEASE} the worker first calls
     *                            {@link #extendLease}, and announces nothing when that throws LeaseLostException
     */
    void fail(ReceivedJob job, Failure failure);

    /**
     * Extends the lease by {@code extension} from now (heartbeat while the handler runs).
     *
     * @throws LeaseLostException when the provider no longer holds this delivery (its lease ran out and it may
     *                            run elsewhere): the worker cancels the attempt and stops its heartbeats
     */
    void extendLease(ReceivedJob job, Duration extension);

    /**
     * Hands an unfinished delivery back for immediate redelivery (shutdown). Providers that can
     * avoid it do not count the released delivery as an attempt. Releasing a delivery whose lease was
     * lost is ignored: its job is another delivery's already.
     */
    void release(ReceivedJob job);

    /** Looks a job up by id where {@link Feature#JOB_LOOKUP} is supported; empty otherwise. */
    Optional<JobInfo> getJob(String jobId);

    /**
     * The id of the job waiting, delayed or running here that holds {@code deduplicationKey}, so that
     * a job for the scheduler with that key is deduplicated against it; empty when none does, or when
     * the provider cannot look keys up (SQS FIFO keeps its keys to itself). The default knows none.
     */
    default Optional<String> jobHoldingKey(String deduplicationKey) {
        return Optional.empty();
    }

    /**
     * The counts behind {@link dev.jobq.QueueStats}: {@link ProviderStats#UNKNOWN} for what this provider
     * cannot tell. Called from any thread, on each {@link dev.jobq.JobQueue#stats} and metrics scrape; it may
     * do I/O (SQS: {@code GetQueueAttributes}) and throw when that fails.
     */
    ProviderStats stats();

    /**
     * The dead letters where {@link Feature#DEAD_LETTER_STORE} is supported. Through
     * {@link dev.jobq.JobQueue#deadLetters}, the core refuses a negative {@code list} limit and announces a
     * redrive before a call reaches them.
     */
    default Optional<DeadLetters> deadLetters() {
        return Optional.empty();
    }

    /** Stops deliveries and wakes blocked receivers; idempotent. */
    @Override
    void close();
}
