package dev.jobq.sqs;

import dev.jobq.JobQueueException;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The writing calls of one queue, each through its own {@link Batcher}: send, delete, change
 * visibility, and extend a lease (a heartbeat's visibility change: apart from a settle's, so that a
 * heartbeat batch SQS does not answer holds up no retry or release behind it). Callers block until
 * their own entry is answered; a failed entry throws an {@link EntryFailure} with SQS's error code.
 *
 * <p>A batch call can succeed while SQS fails some of its entries. The SDK retries a failed call, not
 * a failed entry, so an entry SQS failed on its side ({@code InternalError}, {@code ServiceUnavailable},
 * throttling: {@link EntryFailure#isTransient()}) goes again here, after a pause that doubles from
 * {@link #ENTRY_RETRY_BASE} ({@link #THROTTLED_RETRY_BASE} when throttled), up to
 * {@link #MAX_ENTRY_ATTEMPTS} attempts in all; the pause is the caller's own, so other callers' entries
 * keep going out meanwhile. An entry refused as the sender's fault (a bad receipt, a bad message)
 * fails at once. Thread-safe.
 */
final class QueueCalls {

    /** A visibility change: the receipt and the seconds from now until the message is visible again. */
    record VisibilityChange(String receipt, int seconds) {
    }

    /**
     * A heartbeat batch SQS answered no call of within the time a heartbeat of the shortest lease in the batch has left
     * ({@link #heartbeatTimeLeft}, two thirds of it; the second call went out a third into it): that time and that
     * lease, which each heartbeat of the batch names, its own lease or not. Its message and cause are the SDK's.
     */
    static final class HeartbeatAttemptsCut extends JobQueueException {
        private final Duration cut;
        private final int leaseSeconds;

        HeartbeatAttemptsCut(Duration cut, int leaseSeconds, SdkClientException sdk) {
            super(String.valueOf(sdk.getMessage()), sdk);
            this.cut = cut;
            this.leaseSeconds = leaseSeconds;
        }

        /** The time the heartbeat had: its calls were cut at its end. */
        Duration cut() {
            return cut;
        }

        /** The shortest lease of the batch, two thirds of which the cut is. */
        int leaseSeconds() {
            return leaseSeconds;
        }
    }

    /** Attempts of one entry in all, the SDK's own number of attempts of a call. */
    static final int MAX_ENTRY_ATTEMPTS = 4;
    /** The pause before an entry SQS failed on its side goes again: then twice that, and so on, with jitter. */
    static final Duration ENTRY_RETRY_BASE = Duration.ofMillis(100);
    /** The same for a throttled entry, the SDK's base for throttled calls. */
    static final Duration THROTTLED_RETRY_BASE = Duration.ofMillis(500);

    /**
     * What a call none of whose attempts SQS answered within {@code requestTimeout} failed with, and what to raise
     * ({@code key}: the setting's path), as start-up and the calls after it say it: the SDK's own words name only
     * milliseconds, and no setting.
     */
    static String notAnswered(Duration requestTimeout, String key) {
        return notAnswered(requestTimeout, "", key);
    }

    /** {@link #notAnswered(Duration, String)}, {@code beyond} saying what an attempt waited for first (a poll's wait). */
    static String notAnswered(Duration requestTimeout, String beyond, String key) {
        return "SQS did not answer within requestTimeout " + DurationFormat.format(requestTimeout) + beyond
                + ", each of the SDK's attempts (raise " + key + " if the network is slow)";
    }

    /**
     * What a failed call says: the SDK's words; for one none of whose attempts SQS answered in time, {@link #notAnswered}
     * ({@code beyond} as there). The SDK's words for that name only the attempt's milliseconds, and no setting: a
     * receive, the stats and a dead job's copy said only them, where start-up and the batched calls named the key.
     * The SDK's words carry what the server (or a proxy, or something that is not SQS) answered: they go in masked
     * and on one line of at most 1,000 characters ({@link LoggableThrowables#oneLine}), as start-up's do; raw, a line
     * break in them went into an enqueue's exception, which an application logs, as it came.
     */
    static String failureOf(Throwable e, Duration requestTimeout, String beyond, String key) {
        return e instanceof ApiCallAttemptTimeoutException ? notAnswered(requestTimeout, beyond, key)
                : LoggableThrowables.oneLine(Secrets.maskUrl(String.valueOf(e.getMessage())));
    }

    /**
     * The longest a heartbeat waits behind heartbeat batches SQS has not answered before it goes out beside them
     * ({@link Batcher}'s stall). A heartbeat goes out a third into a lease of N seconds and has the other 2N/3 (at
     * least 666 ms: visibilityTimeout is 1 s or more) to reach SQS; this leaves it over 400 ms of that for its own
     * round trip. SQS answers in tens of milliseconds, so a batch still unanswered after this is rare (then one more
     * call goes out beside it), and heartbeats that come due together still go out together.
     */
    static final Duration HEARTBEAT_STALL = Duration.ofMillis(250);

    private static final ThreadFactory BULK_SENDERS = Thread.ofVirtual().name("jobq-sqs-send-", 0).factory();
    private static final ThreadFactory HEARTBEAT_CALLS = Thread.ofVirtual().name("jobq-sqs-heartbeat-", 0).factory();

    private final SqsClient sqs;
    private final String url;
    private final Duration requestTimeout;
    private final Batcher<OutgoingMessage, String> sends;
    private final Batcher<String, Void> deletes;
    private final Batcher<VisibilityChange, Void> visibility;
    private final Batcher<VisibilityChange, Void> extensions;

    /** {@code requestTimeout}: the client's cut of one attempt of a call, which a heartbeat's may cut shorter. */
    QueueCalls(SqsClient sqs, SqsQueue queue, Duration requestTimeout) {
        this.sqs = sqs;
        this.url = queue.url();
        this.requestTimeout = requestTimeout;
        this.sends = new Batcher<>(this::sendBatch, OutgoingMessage::size, queue.maxMessageBytes());
        this.deletes = new Batcher<>(this::deleteBatch);
        this.visibility = new Batcher<>(changes -> visibilityBatch(changes, null, null));
        this.extensions = new Batcher<>(this::heartbeatBatch, change -> 0, 0, Batcher.LINGER, HEARTBEAT_STALL);
    }

    /** Sends a message; returns its SQS message id. */
    String send(OutgoingMessage message) {
        return valueOf(submitRetrying(sends, List.of(message)).get(0));
    }

    /**
     * Sends messages together and answers one outcome per message, in the same order: a batch of up to
     * ten goes out from this thread; more go out as batches of ten side by side, from up to
     * {@link Batcher#MAX_IN_FLIGHT} virtual threads.
     */
    List<Batcher.Outcome<String>> sendAll(List<OutgoingMessage> messages) {
        int count = messages.size();
        if (count <= Batcher.MAX_ENTRIES) {
            return count == 0 ? List.of() : submitRetrying(sends, messages);
        }
        int groups = (count + Batcher.MAX_ENTRIES - 1) / Batcher.MAX_ENTRIES;
        @SuppressWarnings("unchecked")
        List<Batcher.Outcome<String>>[] answered = new List[groups];
        var next = new AtomicInteger();
        try (var senders = Executors.newThreadPerTaskExecutor(BULK_SENDERS)) {
            for (int s = 0; s < Math.min(groups, Batcher.MAX_IN_FLIGHT); s++) {
                senders.execute(() -> {
                    for (int g = next.getAndIncrement(); g < groups; g = next.getAndIncrement()) {
                        int from = g * Batcher.MAX_ENTRIES;
                        answered[g] = submitRetrying(sends, messages.subList(from, Math.min(from + Batcher.MAX_ENTRIES, count)));
                    }
                });
            }
        }
        List<Batcher.Outcome<String>> outcomes = new ArrayList<>(count);
        for (int g = 0; g < groups; g++) {
            if (answered[g] != null) {
                outcomes.addAll(answered[g]);
                continue;
            }
            int from = g * Batcher.MAX_ENTRIES;
            int to = Math.min(from + Batcher.MAX_ENTRIES, count);
            var lost = Batcher.Outcome.<String>failed(new IllegalStateException("the thread sending messages " + from
                    + " to " + (to - 1) + " of " + count + " ended with an error (see the log); whether they were sent "
                    + "is unknown"));
            outcomes.addAll(Collections.nCopies(to - from, lost));
        }
        return outcomes;
    }

    void delete(String receipt) {
        valueOf(submitRetrying(deletes, List.of(receipt)).get(0));
    }

    /**
     * Deletes {@code lease}'s delivery. A receipt SQS refuses while the lease has surely not run out ({@link
     * Lease#surelyHeldAt}) is not a lost lease: no other receive can hold the message then, so it is gone, deleted by
     * an earlier attempt of this call whose answer was lost (the SDK sent the delete again), or purged. Any other
     * failure is thrown.
     *
     * @return null when SQS deleted the delivery now; else the refusal of a delivery already gone, for a DEBUG line
     */
    @Nullable RuntimeException deleteHeld(Lease lease) {
        try {
            delete(lease.receipt());
            return null;
        } catch (RuntimeException e) {
            if (!EntryFailure.isLostReceipt(e) || !lease.surelyHeldAt(System.nanoTime())) {
                throw e;
            }
            return e;
        }
    }

    /** Makes a received message visible again after {@code seconds} (0: at once). */
    void changeVisibility(String receipt, int seconds) {
        valueOf(submitRetrying(visibility, List.of(new VisibilityChange(receipt, seconds))).get(0));
    }

    /**
     * A heartbeat's {@link #changeVisibility}: batched with other heartbeats only. In the batches of the settles'
     * changes, a retry or a FIFO release waited for a heartbeat batch on the wire, however long SQS took to answer it.
     * Nor does it wait longer than {@link #HEARTBEAT_STALL} behind a heartbeat batch SQS does not answer, and its call
     * is cut at the time a heartbeat of the lease it sets has left, a second call going out beside it a third into the
     * lease ({@link #heartbeatBatch}).
     */
    void extendVisibility(String receipt, int seconds) {
        valueOf(submitRetrying(extensions, List.of(new VisibilityChange(receipt, seconds))).get(0));
    }

    private static <R> @Nullable R valueOf(Batcher.Outcome<R> outcome) {
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.value();
    }

    /**
     * Submits entries and sends again, after a pause, those SQS failed on its side, until each
     * succeeded, failed as the sender's fault, or had {@link #MAX_ENTRY_ATTEMPTS}; answers one outcome
     * per entry, in order. A failure that outlived its attempts says how many it had.
     */
    private static <T, R> List<Batcher.Outcome<R>> submitRetrying(Batcher<T, R> batcher, List<T> entries) {
        List<Batcher.Outcome<R>> outcomes = new ArrayList<>(batcher.submitAll(entries));
        for (int attempt = 2; ; attempt++) {
            List<Integer> again = new ArrayList<>();
            boolean throttled = false;
            for (int i = 0; i < outcomes.size(); i++) {
                if (outcomes.get(i).failure() instanceof EntryFailure failure && failure.isTransient()) {
                    again.add(i);
                    throttled |= failure.isThrottling();
                }
            }
            if (again.isEmpty()) {
                return outcomes;
            }
            if (attempt > MAX_ENTRY_ATTEMPTS) {
                for (int i : again) {
                    outcomes.set(i, Batcher.Outcome.failed(((EntryFailure) outcomes.get(i).failure())
                            .afterAttempts(MAX_ENTRY_ATTEMPTS)));
                }
                return outcomes;
            }
            pause((throttled ? THROTTLED_RETRY_BASE : ENTRY_RETRY_BASE).multipliedBy(1L << (attempt - 2)));
            List<Batcher.Outcome<R>> retried = batcher.submitAll(again.stream().map(entries::get).toList());
            for (int k = 0; k < again.size(); k++) {
                outcomes.set(again.get(k), retried.get(k));
            }
        }
    }

    /**
     * Waits half of {@code backoff} plus a random part of the other half, so that entries failed
     * together do not all come back together. Not cut short by an interrupt, as settling calls are not
     * ({@link Batcher}): the flag is kept for the caller.
     */
    private static void pause(Duration backoff) {
        long half = backoff.toNanos() / 2;
        long deadline = System.nanoTime() + half + ThreadLocalRandom.current().nextLong(half + 1);
        boolean interrupted = false;
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Batcher.Outcome<String>> sendBatch(List<OutgoingMessage> messages) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            entries.add(messages.get(i).toEntry(Integer.toString(i)));
        }
        SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(url).entries(entries));
        Map<String, Batcher.Outcome<String>> byId = new HashMap<>();
        response.successful().forEach(ok -> byId.put(ok.id(), Batcher.Outcome.success(ok.messageId())));
        collectFailures(response.failed(), "SendMessage", byId);
        return inOrder(messages.size(), byId, "SendMessage");
    }

    private List<Batcher.Outcome<Void>> deleteBatch(List<String> receipts) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(receipts.size());
        for (int i = 0; i < receipts.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(receipts.get(i))
                    .build());
        }
        var response = sqs.deleteMessageBatch(r -> r.queueUrl(url).entries(entries));
        Map<String, Batcher.Outcome<Void>> byId = new HashMap<>();
        response.successful().forEach(ok -> byId.put(ok.id(), Batcher.Outcome.success(null)));
        collectFailures(response.failed(), "DeleteMessage", byId);
        return inOrder(receipts.size(), byId, "DeleteMessage");
    }

    /**
     * A heartbeat batch's call. A heartbeat goes out a third into a lease of N seconds, with 2N/3 left (the worker's
     * heartbeats come every N/3). Each attempt was cut at N/3, so that one that hangs (a connection gone dead) is tried
     * again within the lease; but an answer SQS sent later than N/3 and before the lease ran out was thrown away, every
     * attempt of a network that slow was cut, and the heartbeat failed where one uncut attempt had kept the job (a
     * 1 s lease, answers in 600 ms). Now the call may take the whole 2N/3 ({@link #heartbeatTimeLeft}: its attempts,
     * and the SDK's retries only where they fit, are cut there), and if SQS has not answered it a third into the lease
     * ({@link #heartbeatAttemptTimeout}) a second call goes out beside it, on a connection of its own, cut at the same
     * end: the first that succeeds is the batch's answer, and the other is aborted. A visibility change set twice sets
     * the same lease. Where requestTimeout is N/3 or less it cuts each attempt, as any call's, and the SDK's attempts
     * come within the lease by themselves. A change to 0 (an extension of 0: visible at once) sets no lease, so it
     * has no part in the cut: counted, it cut its batch's attempts, the other jobs' heartbeats in it too, at 100 ms. A
     * batch neither of whose calls SQS answered in time fails with {@link HeartbeatAttemptsCut}; one whose first call
     * failed otherwise, with the first call's failure.
     */
    private List<Batcher.Outcome<Void>> heartbeatBatch(List<VisibilityChange> changes) {
        int shortest = Integer.MAX_VALUE;
        for (VisibilityChange change : changes) {
            if (change.seconds() > 0) {
                shortest = Math.min(shortest, change.seconds());
            }
        }
        Duration third = shortest == Integer.MAX_VALUE ? requestTimeout : heartbeatAttemptTimeout(shortest);
        if (third.equals(requestTimeout)) {
            return visibilityBatch(changes, null, null);
        }
        Duration left = heartbeatTimeLeft(shortest);
        BlockingQueue<HeartbeatCall> answered = new LinkedBlockingQueue<>(2);
        var first = new HeartbeatCall(changes, left, answered);
        HeartbeatCall done = first.start().await(third);
        if (done == null) {
            // SQS has not answered a third into the lease: one more call beside it, in case this one hangs
            var second = new HeartbeatCall(changes, left.minus(third), answered).start();
            done = first.await(null);
            HeartbeatCall other = done == first ? second : first;
            if (done.failure() != null) {
                done = other.await(null);
            } else {
                other.cancel(true); // the SDK aborts a call whose thread is interrupted
            }
            if (done.failure() != null) {
                done = first;
            }
        }
        RuntimeException failure = done.failure();
        if (failure == null) {
            return done.value();
        }
        if (failure instanceof ApiCallAttemptTimeoutException || failure instanceof ApiCallTimeoutException) {
            // Each heartbeat of the batch names this time and the lease it is of: a heartbeat of a longer lease sent
            // with a shorter one named requestTimeout, which cut none of these attempts.
            throw new HeartbeatAttemptsCut(left, shortest, (SdkClientException) failure);
        }
        throw failure;
    }

    /** One call of a heartbeat batch, on a virtual thread of its own; once done, it joins {@code answered}. */
    private final class HeartbeatCall extends FutureTask<List<Batcher.Outcome<Void>>> {
        private final BlockingQueue<HeartbeatCall> answered;

        /** {@code within}: the cut of the call, its attempts' too (requestTimeout, when lower, cuts each attempt). */
        HeartbeatCall(List<VisibilityChange> changes, Duration within, BlockingQueue<HeartbeatCall> answered) {
            super(() -> visibilityBatch(changes, within.compareTo(requestTimeout) < 0 ? within : requestTimeout,
                    within));
            this.answered = answered;
        }

        HeartbeatCall start() {
            HEARTBEAT_CALLS.newThread(this).start();
            return this;
        }

        @Override
        protected void done() {
            answered.add(this);
        }

        /**
         * The next call of the batch that is done, waiting at most {@code most} (null: until one is), or null. Not cut
         * short by an interrupt, as batch calls are not ({@link Batcher}): the flag is kept.
         */
        @Nullable HeartbeatCall await(@Nullable Duration most) {
            long deadline = most == null ? 0 : System.nanoTime() + most.toNanos();
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return most == null ? answered.take()
                                : answered.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
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

        /**
         * The call's failure once it is done, null if it succeeded. An Error is thrown on, as {@link Batcher} throws a
         * batch call's: wrapped, an OutOfMemoryError was a heartbeat's IllegalStateException.
         */
        @Nullable RuntimeException failure() {
            try {
                get();
                return null;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                return e.getCause() instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException(e.getCause());
            } catch (java.util.concurrent.CancellationException | InterruptedException e) {
                return new IllegalStateException("the heartbeat's call was stopped", e);
            }
        }

        List<Batcher.Outcome<Void>> value() {
            try {
                return get();
            } catch (ExecutionException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * When a second call of a heartbeat that sets a lease of {@code seconds} (more than 0) goes out beside the first,
     * alone in its batch: a third of the lease, at least 100 ms; requestTimeout when that is lower, which then cuts
     * each attempt and no second call goes out.
     */
    Duration heartbeatAttemptTimeout(int seconds) {
        Duration third = Duration.ofSeconds(seconds).dividedBy(3);
        if (third.compareTo(SqsSettings.MIN_REQUEST_TIMEOUT) < 0) {
            return SqsSettings.MIN_REQUEST_TIMEOUT;
        }
        return third.compareTo(requestTimeout) < 0 ? third : requestTimeout;
    }

    /**
     * The time a heartbeat of a lease of {@code seconds} (more than 0) has left, and the cut of its call: two thirds of
     * the lease, as the worker sends it a third into it; an answer later than that comes after the lease.
     */
    static Duration heartbeatTimeLeft(int seconds) {
        return Duration.ofMillis(seconds * 2000L / 3);
    }

    /** The client's cut of one attempt of a call, {@code requestTimeout}. */
    Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * {@code attemptTimeout}: the cut of each attempt of the call, null for the client's {@code requestTimeout};
     * {@code callTimeout}: the cut of the whole call, its attempts and the SDK's pauses between them, null for none.
     */
    private List<Batcher.Outcome<Void>> visibilityBatch(List<VisibilityChange> changes, @Nullable Duration attemptTimeout,
                                                        @Nullable Duration callTimeout) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
                    .receiptHandle(changes.get(i).receipt()).visibilityTimeout(changes.get(i).seconds()).build());
        }
        var response = sqs.changeMessageVisibilityBatch(r -> {
            r.queueUrl(url).entries(entries);
            if (attemptTimeout != null || callTimeout != null) {
                r.overrideConfiguration(o -> o.apiCallAttemptTimeout(attemptTimeout).apiCallTimeout(callTimeout));
            }
        });
        Map<String, Batcher.Outcome<Void>> byId = new HashMap<>();
        response.successful().forEach(ok -> byId.put(ok.id(), Batcher.Outcome.success(null)));
        collectFailures(response.failed(), "ChangeMessageVisibility", byId);
        return inOrder(changes.size(), byId, "ChangeMessageVisibility");
    }

    private static <R> void collectFailures(List<BatchResultErrorEntry> failed, String what,
                                            Map<String, Batcher.Outcome<R>> byId) {
        for (BatchResultErrorEntry entry : failed) {
            byId.put(entry.id(), Batcher.Outcome.failed(new EntryFailure(what, entry.code(), entry.senderFault(),
                    entry.message())));
        }
    }

    private static <R> List<Batcher.Outcome<R>> inOrder(int count, Map<String, Batcher.Outcome<R>> byId, String what) {
        List<Batcher.Outcome<R>> outcomes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Batcher.Outcome<R> outcome = byId.get(Integer.toString(i));
            outcomes.add(outcome != null ? outcome : Batcher.Outcome.failed(
                    new EntryFailure(what, "NoAnswer", "SQS answered nothing for entry " + i + " of the batch")));
        }
        return outcomes;
    }
}
