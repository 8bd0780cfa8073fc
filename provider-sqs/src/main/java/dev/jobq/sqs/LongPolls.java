package dev.jobq.sqs;

import dev.jobq.JobQueueException;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The ReceiveMessage long polls of one queue, each on a virtual thread of its own while the caller
 * waits for it. A caller that is interrupted, or whose provider begins to close, returns at once;
 * its poll is <em>not</em> cut short, because SQS may still hand a message to a poll whose client
 * has gone, and that message would then wait out its visibility timeout with the delivery counted.
 * Instead the poll runs to its end and whatever it gets goes to {@code orphans}, which hands it
 * back (released, not counted) and answers what to announce of it once the poll has ended: a listener
 * told on the poll's thread that closes the provider would otherwise wait for that very poll.
 * {@link #close(Duration)} waits for the polls in flight, each at most until its own wait time has
 * passed and a margin more: a poll that does not answer by then (SQS unreachable, the connection
 * hanging) is given up on, not waited for up to the longest wait SQS allows.
 */
final class LongPolls {

    private static final Logger log = LoggerFactory.getLogger(LongPolls.class);

    private final SqsClient sqs;
    private final SqsQueue queue;
    /** Hands a left poll's messages back; answers what is to run once the poll counts as ended (its events). */
    private final Function<List<Message>, Runnable> orphans;
    private final ThreadFactory threads;
    private final Duration requestTimeout;
    /** The setting of {@code requestTimeout}, as its config names it, for the error of a poll SQS does not answer. */
    private final String requestTimeoutKey;
    /** The polls whose messages are not yet handed on, each with the {@link System#nanoTime()} its wait ends at. */
    private final Map<CompletableFuture<Void>, Long> unsettled = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closing = new CompletableFuture<>();
    /** Run by each poll just before it registers; for tests, which close the polls there. */
    private final Runnable registering;

    LongPolls(SqsClient sqs, SqsQueue queue, Duration requestTimeout, String requestTimeoutKey,
              Function<List<Message>, Runnable> orphans) {
        this(sqs, queue, requestTimeout, requestTimeoutKey, orphans, () -> { });
    }

    LongPolls(SqsClient sqs, SqsQueue queue, Duration requestTimeout, String requestTimeoutKey,
              Function<List<Message>, Runnable> orphans, Runnable registering) {
        this.sqs = sqs;
        this.queue = queue;
        this.requestTimeout = requestTimeout;
        this.requestTimeoutKey = requestTimeoutKey;
        this.orphans = orphans;
        this.registering = registering;
        // escaped, as the core's threads are named: the name reaches thread dumps and "Exception in thread" lines
        this.threads = Thread.ofVirtual().name("jobq-sqs-poll-" + UntrustedText.escape(queue.name()) + "-", 0)
                .factory();
    }

    /**
     * Receives up to {@code max} (≤ 10) messages, waiting up to {@code waitSeconds} for the first.
     *
     * @return the messages, or empty when the caller was interrupted (its flag is set again) or the
     *         provider began to close; the poll's messages then go to the orphans
     * @throws JobQueueException when SQS cannot be reached
     */
    Optional<List<Message>> poll(int max, int waitSeconds) {
        if (closing.isDone()) {
            return Optional.empty();
        }
        var call = new CompletableFuture<List<Message>>();
        var settled = new CompletableFuture<Void>();
        registering.run();
        unsettled.put(settled, System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds));
        settled.whenComplete((ignored, error) -> unsettled.remove(settled));
        if (closing.isDone()) {
            // close() began after the check above: it may not have seen this poll, and must not wait for it either.
            settled.complete(null);
            return Optional.empty();
        }
        threads.newThread(() -> {
            try {
                call.complete(receive(max, waitSeconds));
            } catch (Throwable e) {
                call.completeExceptionally(e);
            }
        }).start();
        boolean interrupted = false;
        try {
            CompletableFuture.anyOf(call, closing).get();
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (ExecutionException e) {
            // the call failed: reported below
        }
        if (interrupted || closing.isDone()) {
            call.whenComplete((messages, error) -> {
                Runnable afterwards = null;
                try {
                    if (messages != null && !messages.isEmpty()) {
                        afterwards = orphans.apply(messages);
                    }
                } finally {
                    settled.complete(null);
                }
                if (afterwards != null) {
                    afterwards.run();
                }
            });
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }
        settled.complete(null);
        try {
            return Optional.of(call.join());
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof JobQueueException failure ? failure
                    : new JobQueueException("receiving from " + queue.label() + " failed: " + cause, cause);
        }
    }

    /**
     * Waits up to {@code nanos} without a request, returning early when the provider begins to close or
     * the caller is interrupted (its flag is set again).
     */
    void idle(long nanos) {
        try {
            closing.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the wait is over
        }
    }

    /**
     * One ReceiveMessage call. On a FIFO queue it carries a {@code ReceiveRequestAttemptId} of its own, the same in
     * each of the SDK's attempts of it: an attempt whose answer was lost (a connection dropped, an answer later than
     * the attempt's timeout) had SQS hand its message out all the same, and the next attempt got nothing, the message
     * in flight and its whole group held up behind it for a lease, and then its delivery counted as an attempt. With
     * the id, SQS answers the attempt after it with the same messages and receipts. Standard queues take no such id: a
     * message handed to a lost attempt comes back after its lease there, counted, as at-least-once allows.
     */
    private List<Message> receive(int max, int waitSeconds) {
        String attemptId = queue.fifo() ? UUID.randomUUID().toString() : null;
        try {
            return sqs.receiveMessage(r -> r.queueUrl(queue.url())
                    .receiveRequestAttemptId(attemptId)
                    .maxNumberOfMessages(max)
                    .waitTimeSeconds(waitSeconds)
                    .visibilityTimeout((int) queue.lease().toSeconds())
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                            MessageSystemAttributeName.MESSAGE_GROUP_ID)
                    .messageAttributeNames("All")
                    .overrideConfiguration(o -> o.apiCallAttemptTimeout(
                            Duration.ofSeconds(waitSeconds).plus(requestTimeout)))).messages();
        } catch (SdkException e) {
            throw new JobQueueException("receiving from " + queue.label() + " failed: " + QueueCalls.failureOf(e,
                    requestTimeout, waitSeconds > 0 ? " after the poll's wait of " + waitSeconds + "s" : "",
                    requestTimeoutKey), e);
        }
    }

    /**
     * Wakes every waiting caller, refuses new polls, and waits for the polls in flight to end and
     * their messages to be handed back: until the latest of their waits ends, and {@code margin} more.
     */
    void close(Duration margin) {
        closing.complete(null);
        Map<CompletableFuture<Void>, Long> inFlight = Map.copyOf(unsettled);
        if (inFlight.isEmpty()) {
            return;
        }
        long waitsEnd = inFlight.values().stream().reduce((a, b) -> a - b > 0 ? a : b).orElseThrow();
        long timeoutNanos = Math.max(0, waitsEnd - System.nanoTime()) + margin.toNanos();
        try {
            CompletableFuture.allOf(inFlight.keySet().toArray(CompletableFuture[]::new))
                    .get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.debug("a long poll of {} ended with an error while closing", queue.label(), e);
        } catch (TimeoutException e) {
            log.warn("{}: a long poll did not end within {} after its wait; a message it takes comes back after its "
                    + "visibility timeout, with that delivery counted", queue.label(), DurationFormat.format(margin));
        }
    }
}
