package dev.jobq.sqs;

import dev.jobq.JobEvent;
import dev.jobq.JobInfo;
import dev.jobq.JobListener;
import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.EnvelopeCodec;
import dev.jobq.spi.Failure;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * One SQS queue as a jobq provider. Enqueue sends (batched); receive long-polls; a lease is the
 * visibility timeout and a heartbeat changes it; a retry makes the message visible again after its
 * backoff; a dead job is copied to the dead-letter queue before it is deleted; a release sends a
 * fresh copy and deletes the delivery, so that the released delivery is not counted as an attempt,
 * except on a FIFO queue, where the copy would join the end of its group: there the delivery is made
 * visible again, in its place, and counted.
 * On a FIFO queue each receive takes one message: SQS hands out no other message of a group while
 * one is in flight, so a group's jobs run one after another, in order, however many handlers run.
 * An interrupted receiver, or every receiver at {@code close()}, returns at once, but its long poll
 * is left to end and what it gets is released ({@link LongPolls}); {@code close()} waits for that,
 * at most the poll's wait time. The reasons for each choice are in {@code docs/sqs.md}.
 */
final class SqsQueueProvider implements QueueProvider {

    private static final Logger log = LoggerFactory.getLogger(SqsQueueProvider.class);
    /** SQS holds a per-message delay of at most 15 minutes. */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);
    /** How long past its wait a long poll in flight at close is waited for, for SQS's answer to arrive. */
    static final Duration POLL_ANSWER_MARGIN = Duration.ofSeconds(10);
    /**
     * How long a settle waits for a heartbeat of its delivery under way before it goes ahead without it: a heartbeat
     * SQS answers takes a round trip; one it does not answer held the settle for the SDK's attempts of
     * {@code requestTimeout} each, past the worker's wait for a release at close (5 s, 2.5 s of it for the heartbeat).
     */
    static final Duration HEARTBEAT_WAIT = Duration.ofSeconds(2);

    /** What a send cut by close() says instead of the SDK's words about its executor or its connection pool. */
    private static final String CLOSED_UNDER_SEND = "the provider was closed while the job was being sent; it is not "
            + "enqueued unless SQS took it before the call was cut (enqueued again on an open provider, it may then run "
            + "twice on a standard queue; a FIFO queue drops it as a duplicate within 5 minutes)";

    private final SqsConnection connection;
    private final SqsQueue queue;
    private final @Nullable String groupId;
    /** The setting of the lease, as its config names it ({@code provider.visibilityTimeout}), for messages. */
    private final String visibilityKey;
    private final String requestTimeoutKey;
    private final Duration waitTime;
    private final Capabilities capabilities;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final Leases leases = new Leases();
    private final QueueCalls calls;
    private final DeadLetterCopies deadLetters;
    private final IncomingMessages incoming;
    private final FifoDeduplication deduplication;
    private final QueueStatistics statistics;
    private final LongPolls polls;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final JobListener events;
    /** Run once when the provider closes: its factory forgets the SQS queues it claimed for it. */
    private volatile Runnable onClose = () -> { };

    SqsQueueProvider(SqsConnection connection, SqsQueue queue, SqsSettings settings, ProviderContext context) {
        this.connection = connection;
        this.queue = queue;
        this.groupId = settings.groupId();
        String path = context.settings().path();
        this.visibilityKey = path.isEmpty() ? "visibilityTimeout" : path + ".visibilityTimeout";
        this.requestTimeoutKey = path.isEmpty() ? "requestTimeout" : path + ".requestTimeout";
        this.waitTime = settings.waitTime();
        InstantSource clock = context.clock();
        this.events = context.events();
        int maxPayload = queue.maxMessageBytes() - OutgoingMessage.DEAD_LETTER_RESERVE;
        this.capabilities = queue.fifo()
                ? new Capabilities(Duration.ZERO, maxPayload, EnumSet.of(Feature.DEDUPLICATION, Feature.ORDERED), 1,
                        queue.maxReceives(), Lease.MAX_TIMEOUT)
                : new Capabilities(MAX_DELAY, maxPayload, EnumSet.noneOf(Feature.class), Batcher.MAX_ENTRIES,
                        queue.maxReceives(), Lease.MAX_TIMEOUT);
        this.calls = new QueueCalls(connection.client(), queue, settings.requestTimeout());
        this.deadLetters = new DeadLetterCopies(connection.client(), queue, calls, requestTimeoutKey, clock);
        this.incoming = new IncomingMessages(queue, codec, leases, calls, deadLetters, events, clock);
        this.deduplication = new FifoDeduplication(clock);
        this.statistics = new QueueStatistics(connection.client(), queue, settings.requestTimeout(), requestTimeoutKey);
        this.polls = new LongPolls(connection.pollClient(), queue, settings.requestTimeout(), requestTimeoutKey,
                this::handBack);
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(delay, "delay");
        requireHoldable(envelope, delay);
        requireOpen(envelope);
        String deduplicationId = queue.fifo() ? OutgoingMessage.sqsId(
                envelope.options().deduplicationKey() != null ? envelope.options().deduplicationKey() : envelope.jobId())
                : null;
        OutgoingMessage message = outgoing(envelope, ceilSeconds(delay), deduplicationId);
        if (deduplicationId != null) {
            Optional<String> holder = deduplication.claim(deduplicationId, envelope.jobId());
            if (holder.isPresent()) {
                return EnqueueResult.duplicateOf(holder.get());
            }
        }
        boolean sent = false;
        try {
            calls.send(message);
            sent = true;
        } catch (RuntimeException e) {
            throw new JobQueueException("sending " + OutgoingMessage.named(envelope) + " to " + queue.label()
                    + " failed: " + (connection.isClosed() ? CLOSED_UNDER_SEND : failureOf(e)), e);
        } finally {
            // Whatever ended the send: an enqueue with the same key may be waiting for its outcome.
            if (deduplicationId != null && sent) {
                deduplication.sent(deduplicationId, envelope.jobId());
            } else if (deduplicationId != null) {
                deduplication.withdraw(deduplicationId, envelope.jobId());
            }
        }
        return EnqueueResult.accepted(envelope.jobId());
    }

    /** The deduplication ids this provider claimed on a FIFO queue; for tests. */
    FifoDeduplication fifoDeduplication() {
        return deduplication;
    }

    /** The whole message checked against the queue's limit, with room for the scheduler to write it anew. */
    @Override
    public void checkAcceptable(JobEnvelope envelope) {
        Objects.requireNonNull(envelope, "envelope");
        new OutgoingMessage(envelope, codec.encode(envelope), OutgoingMessage.jobAttributes(envelope), 0, null, null)
                .requireWithin(queue, OutgoingMessage.REWRITE_RESERVE);
    }

    /**
     * On a standard queue, sends the jobs in batches of ten, several batches on the wire at once (see
     * {@link QueueCalls#sendAll}); not in order, as a standard queue keeps none. On a FIFO queue one
     * after another, as {@link #enqueue} does: a batch beside another could overtake it; and once a job
     * is refused, none after it in its message group is sent, so that what the caller enqueues again
     * comes after what was stored, in the order given.
     */
    @Override
    public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (queue.fifo()) {
            return enqueueInOrder(envelopes, delay);
        }
        if (envelopes.size() <= 1) {
            return QueueProvider.super.enqueueAll(envelopes, delay);
        }
        var outcomes = new EnqueueOutcome[envelopes.size()];
        List<OutgoingMessage> messages = new ArrayList<>(envelopes.size());
        List<Integer> positions = new ArrayList<>(envelopes.size());
        int seconds = ceilSeconds(delay);
        for (int i = 0; i < envelopes.size(); i++) {
            JobEnvelope envelope = Objects.requireNonNull(envelopes.get(i), "envelope");
            try {
                requireHoldable(envelope, delay);
                requireOpen(envelope);
                messages.add(outgoing(envelope, seconds, null));
                positions.add(i);
            } catch (RuntimeException e) {
                outcomes[i] = EnqueueOutcome.failed(e);
            }
        }
        List<Batcher.Outcome<String>> sent = calls.sendAll(messages);
        for (int m = 0; m < messages.size(); m++) {
            JobEnvelope envelope = messages.get(m).envelope();
            RuntimeException failure = sent.get(m).failure();
            outcomes[positions.get(m)] = failure == null ? EnqueueOutcome.of(EnqueueResult.accepted(envelope.jobId()))
                    : EnqueueOutcome.failed(new JobQueueException("sending " + OutgoingMessage.named(envelope)
                            + " to " + queue.label() + " failed: "
                            + (connection.isClosed() ? CLOSED_UNDER_SEND : failureOf(failure)), failure));
        }
        return List.of(outcomes);
    }

    /**
     * A FIFO queue's enqueueAll: one after another, and a message group stops at its first refused
     * job. Sending the rest would store them ahead of it, so enqueueing the refused one again would put
     * it after jobs the caller gave after it, breaking the one order a FIFO queue keeps.
     */
    private List<EnqueueOutcome> enqueueInOrder(List<JobEnvelope> envelopes, Duration delay) {
        List<EnqueueOutcome> outcomes = new ArrayList<>(envelopes.size());
        Map<String, String> stoppedGroups = new LinkedHashMap<>();
        for (JobEnvelope envelope : envelopes) {
            Objects.requireNonNull(envelope, "envelope");
            String group = groupOf(envelope);
            String refused = stoppedGroups.get(group);
            if (refused != null) {
                outcomes.add(EnqueueOutcome.failed(new JobQueueException(OutgoingMessage.named(envelope)
                        + " was not sent to " + queue.label() + ": job " + IncomingMessages.shown(refused)
                        + " before it in message group '" + group + "' was not enqueued, and this one would have run "
                        + "ahead of it; enqueue them again, in order")));
                continue;
            }
            try {
                outcomes.add(EnqueueOutcome.of(enqueue(envelope, delay)));
            } catch (RuntimeException e) {
                stoppedGroups.put(group, envelope.jobId());
                outcomes.add(EnqueueOutcome.failed(e));
            }
        }
        return outcomes;
    }

    private void requireHoldable(JobEnvelope envelope, Duration delay) {
        if (delay.isNegative() || delay.compareTo(capabilities.maxDelay()) > 0) {
            throw new JobRejectedException(OutgoingMessage.named(envelope) + ": a delay of "
                    + DurationFormat.formatExact(delay) + " is beyond " + queue.label() + ", which holds "
                    + (queue.fifo() ? "no per-message delay (a FIFO queue)" : "delays of 0 to 15m")
                    + "; longer delays go through the scheduler");
        }
    }

    @Override
    public List<ReceivedJob> receive(int max, Duration wait) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be ≥ 1, got " + max);
        }
        Objects.requireNonNull(wait, "wait");
        long deadline = System.nanoTime() + Math.min(wait.toNanos(), Duration.ofDays(1).toNanos());
        while (!closed.get() && !Thread.currentThread().isInterrupted()) {
            // Rounded up: SQS waits whole seconds, and a wait under one second rounded down would be a
            // short poll that returns at once, so a worker polling every second would never wait at all.
            long remaining = Math.max(0, deadline - System.nanoTime());
            int seconds = (int) Math.min(ceilSeconds(Duration.ofNanos(remaining)), waitTime.toSeconds());
            var polled = polls.poll(queue.fifo() ? 1 : Math.min(max, Batcher.MAX_ENTRIES), seconds);
            if (polled.isEmpty()) {
                return List.of();
            }
            List<ReceivedJob> jobs = incoming.accept(polled.get());
            if (!jobs.isEmpty() || System.nanoTime() - deadline >= 0) {
                leases.forgetExpired(System.nanoTime());
                return jobs;
            }
            if (seconds == 0 && polled.get().isEmpty()) {
                // waitTime 0s: short polls. Returning at once would make the worker poll again at once, a
                // loop of requests on an idle queue; so the rest of the wait passes here, as a poll interval.
                polls.idle(deadline - System.nanoTime());
                return List.of();
            }
        }
        return List.of();
    }

    /**
     * Messages of a poll whose receiver left (interrupted, or the provider closing): released at once. What
     * is done to unreadable ones is announced by what this answers, which the poll runs once it has ended: a
     * listener that closes the provider on it would otherwise wait for the poll it is told on.
     */
    private Runnable handBack(List<Message> messages) {
        List<JobEvent> announcements = new ArrayList<>();
        for (ReceivedJob job : incoming.accept(messages, announcements::add)) {
            try {
                release(job);
                log.info("job {} came in on a long poll of {} whose receiver had left; released for another "
                        + "receiver{}", shown(job), queue.label(), queue.fifo() ? " in its place in its message group "
                        + "(counted as an attempt)" : ", not counted");
            } catch (RuntimeException e) {
                log.warn("job {} was received after its receiver left {} and could not be released; it comes back "
                        + "after its visibility timeout, that delivery counted", shown(job), queue.label(), e);
            }
        }
        return () -> announcements.forEach(event -> IncomingMessages.tell(events, event));
    }

    @Override
    public void acknowledge(ReceivedJob job) {
        settle(job, "acknowledge", true, lease -> {
            RuntimeException gone = calls.deleteHeld(lease);
            if (gone != null) {
                log.debug("job {} on {}: SQS refused the receipt of its delete within its lease ({}); the message is "
                        + "gone, deleted by an earlier attempt of the call whose answer was lost", shown(job),
                        queue.label(), gone.getMessage());
            }
        });
    }

    @Override
    public void fail(ReceivedJob job, Failure failure) {
        Objects.requireNonNull(failure, "failure");
        switch (failure) {
            case Failure.RetryAfter retry -> settle(job, "retry", true, lease ->
                    settleVisibility(lease, retrySeconds(job, lease, retry.delay())));
            case Failure.Dead dead -> settle(job, "dead-letter", true, lease ->
                    deadLetters.bury(lease, job.jobId(), dead.error(), job.attempt()));
        }
    }

    @Override
    public void extendLease(ReceivedJob job, Duration extension) {
        Objects.requireNonNull(extension, "extension");
        if (extension.isNegative()) {
            // Sent on, SQS refuses it (InvalidParameterValue) after a round trip, and ElasticMQ answers it as a success:
            // refused here, before any call, as the memory provider does.
            throw new IllegalArgumentException("job " + shown(job) + " on " + queue.label() + ": a lease extension must "
                    + "be 0 or more, got " + (extension.getSeconds() > Long.MIN_VALUE / 2
                    ? "-" + DurationFormat.format(extension.negated()) : extension.toString()));
        }
        Optional<Lease> current = leases.current(job.receipt());
        if (current.isEmpty()) {
            throw new LeaseLostException("job " + shown(job) + " on " + queue.label() + " no longer holds this "
                    + "delivery: its lease was lost, or it was settled or released");
        }
        Lease lease = current.get();
        // One change of the delivery at a time: a settle under way finishes first, and this extension then finds
        // the delivery settled, rather than setting its visibility back to a lease after a retry or a release.
        lease.changes().lock();
        boolean mayHaveExtended = false;
        try {
            lease.heartbeatCalling(System.nanoTime());
            if (leases.current(job.receipt()).isEmpty()) {
                throw new LeaseLostException("job " + shown(job) + " on " + queue.label() + " no longer holds this "
                        + "delivery: it was settled or released while this extension waited for it");
            }
            mayHaveExtended = true;
            try {
                changeVisibilityFor(job, lease, extension);
            } catch (LeaseLostException e) {
                mayHaveExtended = false; // SQS refused the receipt: nothing of this extension reached the message
                throw e;
            }
        } finally {
            try {
                if (mayHaveExtended) {
                    visibleAgainAfterLateHeartbeat(job, lease);
                }
            } finally {
                lease.heartbeatReturned();
                lease.changes().unlock();
            }
        }
    }

    /**
     * A settle that went ahead beside this heartbeat (it waited {@link #HEARTBEAT_WAIT}) and made the message visible
     * again, at once or after a retry's delay: the heartbeat's extension may have reached SQS after it and hidden the
     * job for a lease, so its visibility is set again to what the settle asked. A settle that had not begun its call
     * when this looks sends it after the heartbeat's call returned, and so reaches SQS after it.
     */
    private void visibleAgainAfterLateHeartbeat(ReceivedJob job, Lease lease) {
        Long visibleAgain = lease.visibleAgainNanos();
        if (visibleAgain == null) {
            return;
        }
        try {
            calls.changeVisibility(lease.receipt(),
                    ceilSeconds(Duration.ofNanos(Math.max(0, visibleAgain - System.nanoTime()))));
            log.info("job {} on {}: the heartbeat its settle went ahead beside returned; its visibility is set back to "
                    + "the settle's", shown(job), queue.label());
        } catch (RuntimeException e) {
            if (EntryFailure.isLostReceipt(e)) { // received again or deleted since: nothing of it left to set back
                log.debug("job {} on {}: SQS no longer holds the delivery its settle went ahead with ({})", shown(job),
                        queue.label(), e.getMessage());
                return;
            }
            log.warn("job {} on {}: the heartbeat its settle went ahead beside returned, and setting its visibility "
                    + "back to the settle's failed; it may stay hidden until that heartbeat's lease ends", shown(job),
                    queue.label(), e);
        }
    }

    /**
     * A settle's visibility change ({@code seconds} from now, 0: at once). Without the lease's lock (the settle went
     * ahead beside a heartbeat), noted on the lease first, for that heartbeat to set again when it returns.
     */
    private void settleVisibility(Lease lease, int seconds) {
        if (!lease.changes().isHeldByCurrentThread()) {
            lease.visibleAgainAt(System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
        }
        calls.changeVisibility(lease.receipt(), seconds);
    }

    /** A heartbeat's visibility change; package-private for a test to give it a lease received 12 hours ago. */
    void changeVisibilityFor(ReceivedJob job, Lease lease, Duration extension) {
        Duration left = lease.visibilityLeft(System.nanoTime());
        if (left.compareTo(Duration.ofSeconds(1)) < 0) {
            throw pastTwelveHours(job);
        }
        int seconds = ceilSeconds(extension.compareTo(left) > 0 ? left : extension);
        long sent = System.nanoTime();
        lease.changing(sent, seconds);
        try {
            calls.extendVisibility(lease.receipt(), seconds);
            lease.extended(sent, seconds);
        } catch (RuntimeException e) {
            if (EntryFailure.isLostReceipt(e)) {
                leases.lost(lease);
                throw new LeaseLostException("job " + shown(job) + " on " + queue.label() + " lost its lease while "
                        + "its handler runs: SQS no longer holds this delivery (" + failureOf(e) + "). The message "
                        + "is visible again, and another worker may run it; its acknowledgement or failure will be "
                        + "skipped, left to the other delivery", e);
            }
            if (leases.current(job.receipt()).isEmpty()) {
                // Settled beside this heartbeat (a settle waits for it HEARTBEAT_WAIT at most), and the call then failed,
                // as when the worker's close() closed the provider after the release: no lease left to extend.
                throw new LeaseLostException("job " + shown(job) + " on " + queue.label() + " no longer holds this "
                        + "delivery: it was settled or released while this extension was under way, which then failed ("
                        + (connection.isClosed() ? "the provider was closed" : failureOf(e)) + ")", e);
            }
            if (connection.isClosed()) {
                throw closedUnder("extending the lease", job, e);
            }
            throw new JobQueueException("extending the lease of job " + shown(job) + " on " + queue.label()
                    + " failed: " + attemptsCut(e, seconds), e);
        }
    }

    /**
     * The failure of a heartbeat nearly 12 hours after the receive, with the job's timeout and the way out: the timeout
     * is at most {@link Lease#MAX_TIMEOUT} (jobq refuses a longer one at enqueue, and cuts another producer's at receive,
     * {@link IncomingMessages}), so the handler started late after the receive.
     */
    private JobQueueException pastTwelveHours(ReceivedJob job) {
        return new JobQueueException("job " + shown(job) + " on " + queue.label() + " was received nearly 12 h ago, "
                + "the longest SQS keeps a message hidden: it will be delivered again while its handler still runs. "
                + "Its timeout, " + DurationFormat.format(job.envelope().options().timeout()) + ", is within the "
                + DurationFormat.format(Lease.MAX_TIMEOUT) + " a job on SQS may have, but its handler started late "
                + "after the receive, from which the 12 h count: give it a shorter timeout, or split the work into "
                + "shorter jobs");
    }

    /**
     * The failure of a call of {@code job}'s delivery ({@code what}: a heartbeat's, a settle's) that failed because the
     * provider was closed, before it or while it was under way. The SDK's own words said neither that nor what it
     * means for the job: that its executor refused a task ("rejected from ScheduledThreadPoolExecutor[Shutting
     * down]") or that its connection pool was shut down. Only a failed call asks, so no call that succeeds does more.
     */
    private JobQueueException closedUnder(String what, ReceivedJob job, RuntimeException e) {
        return new JobQueueException(what + " of job " + shown(job) + " on " + queue.label() + " failed: the provider "
                + "was closed before SQS answered this call, and makes no more calls to SQS: unless SQS took it before "
                + "it was cut, the job's lease runs out (at the end its receive or its last heartbeat set) and it is "
                + "delivered again, to another worker or to this one once it runs again", e);
    }

    /**
     * What a heartbeat's failed call says ({@link #failureOf}); for one SQS answered no call of in the time it had,
     * what cut them. The SDK's message names only its milliseconds, two thirds of the lease, which no setting holds
     * (requestTimeout is 10 s by default), nor what to raise.
     */
    private String attemptsCut(RuntimeException e, int seconds) {
        if (!(e instanceof QueueCalls.HeartbeatAttemptsCut attempts)) {
            return failureOf(e);
        }
        // The batch's: the shortest lease of the heartbeats sent with this one, not always its own.
        String lease = DurationFormat.format(Duration.ofSeconds(attempts.leaseSeconds()));
        return e.getMessage() + ". SQS answered this heartbeat within none of the " + DurationFormat.format(attempts.cut())
                + " a heartbeat of the lease of " + lease
                + (attempts.leaseSeconds() == seconds ? " this heartbeat sets"
                        : ", the shortest of the heartbeats sent with this one (it sets "
                                + DurationFormat.format(Duration.ofSeconds(seconds)) + "),")
                + " has left, two thirds of it (a second call went out beside the first after "
                + DurationFormat.format(calls.heartbeatAttemptTimeout(attempts.leaseSeconds()))
                + ", a third of it, in case the first hung; requestTimeout " + DurationFormat.format(calls.requestTimeout())
                + " cuts a heartbeat's attempts only when lower); raise " + visibilityKey + ", the lease, if SQS is this "
                + "slow to answer";
    }

    /**
     * {@code job}'s id as a line or a failure about it shows it ({@link IncomingMessages#shown}): another producer
     * wrote it, and a bidirectional override in it (U+202E: no control character, so the id is read) showed the rest
     * of the line reversed. Called only where a line is written or a failure built, not on a job's way through.
     */
    private static String shown(ReceivedJob job) {
        return IncomingMessages.shown(job.jobId());
    }

    /**
     * What a failed call says: the SDK's words; for one none of whose attempts SQS answered within requestTimeout, that,
     * and what to raise, as start-up says it (the SDK's words name only milliseconds, and no setting).
     */
    private String failureOf(RuntimeException e) {
        return QueueCalls.failureOf(e, calls.requestTimeout(), "", requestTimeoutKey);
    }

    @Override
    public void release(ReceivedJob job) {
        settle(job, "release", false, lease -> {
            if (queue.fifo()) {
                // A fresh copy would join the end of its message group, behind jobs enqueued after it;
                // visible again, the delivery keeps its place (DESIGN §4: a group's order), counted.
                settleVisibility(lease, 0);
                return;
            }
            holdForTheCopy(job, lease);
            // A fresh copy written as of the attempts before this one: this delivery is not counted.
            JobEnvelope copy = job.envelope().withAttempt(job.attempt() - 1);
            try {
                calls.send(releasedCopy(lease, copy));
            } catch (RuntimeException e) {
                if (connection.isClosed()) {
                    throw e; // no call goes out after close(): the settle says so, once
                }
                log.warn("job {} on {}: sending a fresh copy to release it failed; making the delivery visible again "
                        + "instead, which counts it as attempt {}", shown(job), queue.label(), job.attempt(), e);
                settleVisibility(lease, 0);
                return;
            }
            try {
                RuntimeException gone = calls.deleteHeld(lease);
                if (gone != null) {
                    // Only the copy is left, and the job runs once.
                    log.debug("job {} on {}: SQS refused the receipt of the released delivery's delete within its lease "
                            + "({}); it is gone, deleted by an earlier attempt of the call whose answer was lost",
                            shown(job), queue.label(), gone.getMessage());
                }
            } catch (RuntimeException e) {
                log.warn("job {} on {} was released as a fresh copy, but deleting the released delivery failed; it "
                        + "comes back after its visibility timeout too, so the job may run twice", shown(job),
                        queue.label(), e);
            }
        });
    }

    /**
     * Makes sure SQS still holds the delivery before a fresh copy releases it, and keeps it hidden until it is deleted,
     * as before a dead-letter copy: of a delivery whose lease ran out and that another worker received, the copy went
     * out before SQS refused the delete, and the job ran twice. A lost receipt is thrown, for the settle to ignore; any
     * other refusal (a worker without {@code sqs:ChangeMessageVisibility}) does not stop the release.
     */
    private void holdForTheCopy(ReceivedJob job, Lease lease) {
        long now = System.nanoTime();
        int seconds = (int) Math.max(1, Math.min(queue.lease().toSeconds(), lease.visibilityLeft(now).toSeconds()));
        // A lease a heartbeat extended past the queue's is shortened here: SQS surely holds the delivery no longer.
        lease.changing(now, seconds);
        try {
            calls.changeVisibility(lease.receipt(), seconds);
        } catch (RuntimeException e) {
            if (EntryFailure.isLostReceipt(e) || connection.isClosed()) {
                throw e;
            }
            log.debug("job {} on {}: checking that SQS still holds its delivery before its released copy failed; "
                    + "releasing it all the same", shown(job), queue.label(), e);
        }
    }

    @Override
    public Optional<JobInfo> getJob(String jobId) {
        return Optional.empty();
    }

    @Override
    public ProviderStats stats() {
        return statistics.read();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                polls.close(POLL_ANSWER_MARGIN);
                connection.close();
            } finally {
                onClose.run();
            }
        }
    }

    /** Sets what {@link #close()} runs last; set by the factory before the provider is handed out. */
    void onClose(Runnable action) {
        this.onClose = action;
    }

    @Override
    public String toString() {
        return "SqsQueueProvider[" + queue.label() + "]";
    }

    private interface Settlement {
        void apply(Lease lease);
    }

    /**
     * Settles a current delivery. One that is not (received again here since, its lease lost at a heartbeat, or past
     * SQS's 12 hours once a {@link #receive} has returned since), or whose receipt SQS no longer takes, is refused with
     * {@link LeaseLostException} if {@code refused} (an acknowledgement or failure: the worker then neither announces
     * nor counts its outcome, the message's other delivery settles it), else ignored (a release). A delete with an old
     * receipt that SQS takes without deleting anything (the message received by another consumer since) is not known
     * here: it succeeds. Past the 12 hours with no receive since ({@link Leases#forgetExpired} runs only there), the
     * settle is sent with the old receipt, and goes as SQS answers it.
     */
    private void settle(ReceivedJob job, String what, boolean refused, Settlement settlement) {
        Objects.requireNonNull(job, "job");
        Optional<Lease> current = leases.current(job.receipt());
        if (current.isEmpty()) {
            skipNotCurrent(job, what, refused);
            return;
        }
        Lease lease = current.get();
        // After a heartbeat under way (see extendLease), not beside it: its visibility change reaching SQS after this
        // settle's would hide a retried or released job for a whole lease. But not for longer than HEARTBEAT_WAIT.
        boolean locked = lockAfterHeartbeat(job, lease, what);
        try {
            if (leases.current(job.receipt()).isEmpty()) {
                skipNotCurrent(job, what, refused); // the heartbeat it waited for found the lease lost
                return;
            }
            settlement.apply(lease);
        } catch (RuntimeException e) {
            if (connection.isClosed() && !EntryFailure.isLostReceipt(e)) {
                throw closedUnder(what, job, e);
            }
            if (!EntryFailure.isLostReceipt(e)) {
                // An entry SQS refused (EntryFailure) is named too: its own words say only the action and SQS's code.
                throw e instanceof JobQueueException && !(e instanceof EntryFailure) ? e : new JobQueueException(what
                        + " of job " + shown(job) + " on " + queue.label() + " failed: " + failureOf(e), e);
            }
            if (refused) {
                throw new LeaseLostException(what + " of job " + shown(job) + " on " + queue.label() + " refused: SQS "
                        + "no longer holds this delivery (" + failureOf(e) + "); its lease ran out, and the "
                        + "message's other delivery settles it", e);
            }
            log.debug("{} of job {} ignored: SQS no longer holds its delivery ({})", what, shown(job), e.getMessage());
        } finally {
            leases.settled(lease);
            if (locked) {
                lease.changes().unlock();
            }
        }
    }

    /**
     * Takes the lock of {@code lease}'s changes, waiting for a heartbeat that holds it until that heartbeat has been
     * under way {@link #HEARTBEAT_WAIT} (so at most that long); false, with a WARN, if the settle goes ahead without
     * it. Counted from the heartbeat's start, not the settle's: at close the worker has already waited 2.5 s for the
     * same heartbeat before it releases the job, and a second 2 s wait here left the release half a second of the
     * worker's 5 s for its own call, which a loaded machine or a slow answer exceeded (the job then waited out its
     * lease). An interrupt does not cut the wait short (a settle is not cancellable); the flag is kept.
     */
    private boolean lockAfterHeartbeat(ReceivedJob job, Lease lease, String what) {
        long now = System.nanoTime();
        long since = lease.heartbeatCallingSince(now);
        long deadline = (since - now < 0 ? since : now) + HEARTBEAT_WAIT.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (lease.changes().tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        return true;
                    }
                    log.warn("job {} on {}: a heartbeat of its delivery has been under way for over {} (SQS does not "
                            + "answer it); its {} goes ahead without waiting longer: should that heartbeat's lease "
                            + "extension still reach SQS after it, the visibility the {} set is set again when the "
                            + "heartbeat returns", shown(job), queue.label(), DurationFormat.format(HEARTBEAT_WAIT), what,
                            what);
                    return false;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void skipNotCurrent(ReceivedJob job, String what, boolean refused) {
        if (refused) {
            throw new LeaseLostException(what + " of job " + shown(job) + " on " + queue.label() + " refused: "
                    + (leases.takeLost(job.receipt()) ? "its lease was lost while it ran (SQS no longer held the "
                    + "delivery at a heartbeat)" : "this delivery is no longer held (its lease ran out and the message "
                    + "was received again, or it was settled or released)")
                    + "; the message's other delivery settles it");
        }
        if (leases.takeLost(job.receipt())) {
            log.info("{} of job {} on {} skipped: its lease was lost while it ran (SQS no longer held the delivery "
                    + "at a heartbeat); the message's other delivery settles it", what, shown(job), queue.label());
            return;
        }
        log.debug("{} of job {} ignored: its delivery is stale or already settled", what, shown(job));
    }

    /**
     * {@link #retrySeconds(Duration, Duration)} for {@code job}, with a WARN when the delay is {@link #shortened}. The
     * WARN names the whole seconds SQS is asked to hold the job for, not what is left of the 12 h to the millisecond
     * (which read as a retry some hundreds of milliseconds earlier than the one held).
     */
    private int retrySeconds(ReceivedJob job, Lease lease, Duration delay) {
        long now = System.nanoTime();
        Duration left = lease.visibilityLeft(now);
        int seconds = retrySeconds(delay, left);
        if (shortened(delay, left)) {
            // The 12 h run from the receive, not from the retry: a backoff under 12 h is shortened too after a long run,
            // and "cap the backoff below 12 h" was advice that a backoff of 11h shortened after a 2 h run already kept.
            // Less the margin too: "below 12 h less the time from the receive" was kept by 11h59m58s failing at once.
            log.warn("job {} on {}: retry delay {} is beyond what SQS can hold (12 h from the receive, {} ago, less {} "
                    + "kept for the call); it is retried in {} instead. For SQS queues keep the backoff below {} less "
                    + "the time from a job's receive to its retry", shown(job), queue.label(),
                    DurationFormat.format(delay),
                    DurationFormat.format(Duration.ofSeconds(TimeUnit.NANOSECONDS.toSeconds(now - lease.receivedNanos()))),
                    DurationFormat.format(Lease.MARGIN), DurationFormat.format(Duration.ofSeconds(seconds)),
                    DurationFormat.format(Lease.MAX_VISIBILITY.minus(Lease.MARGIN)));
        }
        return seconds;
    }

    /**
     * The whole seconds a retry after {@code delay} hides its message for, with {@code left} of SQS's 12 hours
     * ({@link Lease#visibilityLeft}): the shorter of the two, rounded up as a heartbeat's is ({@link Lease}'s margin
     * takes the second), so that the last second before the margin is not made 0, a redelivery at once.
     */
    static int retrySeconds(Duration delay, Duration left) {
        return ceilSeconds(delay.compareTo(left) <= 0 ? delay : left);
    }

    /**
     * Whether a retry after {@code delay}, with {@code left} of SQS's 12 hours, is held for fewer whole seconds than
     * the delay's own rounded up ({@link #retrySeconds(Duration, Duration)}): a delay only longer than what is left
     * within the same second (800 ms with 300 ms left) is held as long as without the 12 h, and its WARN said it was
     * shortened to "1s" instead of 800ms, and to keep the backoff below 12 h.
     */
    static boolean shortened(Duration delay, Duration left) {
        return retrySeconds(delay, left) < ceilSeconds(delay);
    }

    private OutgoingMessage outgoing(JobEnvelope envelope, int delaySeconds, @Nullable String deduplicationId) {
        return outgoing(envelope, codec.encode(envelope), OutgoingMessage.jobAttributes(envelope), delaySeconds,
                deduplicationId);
    }

    /**
     * The copy that releases a delivery: its body as it came but for the attempt, and its attributes, the
     * producer's own all kept, so that what this jobq does not read is not lost for the worker that runs
     * it (a standard queue's: FIFO queues release in place). {@code JobId} and {@code JobType} are set
     * where SQS's ten leave room: the body says the same, and a producer may leave them out. Not held to
     * {@code maxPayloadBytes}: the message came off this queue, so it is SQS's to take again or refuse (the
     * delivery is then made visible instead), and one larger than this worker's setting is released uncounted too.
     */
    private OutgoingMessage releasedCopy(Lease lease, JobEnvelope copy) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>(lease.message().messageAttributes());
        OutgoingMessage.jobAttributes(copy).forEach((name, value) -> {
            if (attributes.containsKey(name) || attributes.size() < OutgoingMessage.MAX_ATTRIBUTES) {
                attributes.put(name, value);
            }
        });
        return new OutgoingMessage(copy, codec.encodeAgain(copy, lease.message().body()), attributes, 0, null, null);
    }

    /** The message of {@code envelope}, in the queue's message group for it on a FIFO queue. */
    private OutgoingMessage outgoing(JobEnvelope envelope, String body, Map<String, MessageAttributeValue> attributes,
                                     int delaySeconds, @Nullable String deduplicationId) {
        String group = !queue.fifo() ? null : groupOf(envelope);
        var message = new OutgoingMessage(envelope, body, attributes, queue.fifo() ? 0 : delaySeconds, group,
                deduplicationId);
        message.requireWithin(queue, 0);
        return message;
    }

    /** The FIFO message group of {@code envelope}: {@code groupId}, else one per job type. */
    private String groupOf(JobEnvelope envelope) {
        return groupId != null ? groupId : OutgoingMessage.sqsId(envelope.type());
    }

    private void requireOpen(JobEnvelope envelope) {
        if (closed.get()) {
            throw new JobQueueException(queue.label() + " is closed; " + OutgoingMessage.named(envelope)
                    + " was not enqueued");
        }
    }

    /**
     * Whole seconds, rounded up so that nothing comes due early; at most {@link Integer#MAX_VALUE}. Capped before the
     * second rounded up is added: the longest Duration's (ChronoUnit.FOREVER's) overflowed to 0, and a retry after it,
     * held for what is left of the 12 h, was not {@link #shortened}: no WARN.
     */
    private static int ceilSeconds(Duration duration) {
        long seconds = Math.min(duration.toSeconds(), Integer.MAX_VALUE) + (duration.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.min(seconds, Integer.MAX_VALUE);
    }
}
