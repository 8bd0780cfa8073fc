package dev.jobq.sqs;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One delivery this provider handed out: the SQS message as received and when, so that its receipt
 * can settle it, a dead-letter copy can keep its body and attributes, and a visibility change stays
 * within SQS's 12 hours from the receive.
 *
 * <p>Its changes on SQS (a heartbeat's visibility change, the settling call) are made one at a time
 * under {@link #changes()}: a heartbeat under way beside a retry or a FIFO release set the message's
 * visibility to the lease after the retry had set it to the retry's delay, when its call reached SQS
 * second, and the job then waited out a whole lease instead of its delay. A settle waits for a heartbeat
 * a bounded while ({@link SqsQueueProvider#HEARTBEAT_WAIT}): one SQS does not answer held it for the
 * SDK's every attempt. A retry or release that went ahead beside it notes when the message is visible again
 * ({@link #visibleAgainAt}), and the heartbeat, when it returns, sets that visibility again.
 */
final class Lease {

    /** SQS keeps a received message invisible for at most 12 hours from the receive. */
    static final Duration MAX_VISIBILITY = Duration.ofHours(12);
    /**
     * The longest job timeout: a handler may run that long from its start, and the lease is extended to
     * at most {@link #MAX_VISIBILITY} less a few seconds from the receive, which comes a little before.
     */
    static final Duration MAX_TIMEOUT = MAX_VISIBILITY.minusMinutes(1);
    /** Kept off the 12 hours for the time a call takes to reach SQS. */
    static final Duration MARGIN = Duration.ofSeconds(5);
    /**
     * Kept off a lease counted from the receive's answer, for the time between SQS handing the message out (when its
     * visibility timeout began) and the answer's arrival here.
     */
    static final Duration ANSWER_MARGIN = Duration.ofSeconds(1);

    private final Message message;
    private final @Nullable String groupId;
    private final long receivedNanos;
    private final ReentrantLock changes = new ReentrantLock();
    /** {@link System#nanoTime()} at which the heartbeat that holds {@link #changes()} took it, if one does. */
    private volatile long heartbeatSinceNanos;
    private volatile boolean heartbeatCalling;
    /**
     * When a settle that went ahead beside a heartbeat ({@link SqsQueueProvider#HEARTBEAT_WAIT}) made the message
     * visible again ({@link System#nanoTime()}): that heartbeat, once it returns, sets it so again. Null otherwise.
     */
    private volatile @Nullable Long visibleAgainNanos;
    /**
     * {@link System#nanoTime()} until which SQS surely holds this delivery, hidden from every other receive: the end
     * of the lease its receive set, less {@link #ANSWER_MARGIN}, or the end of the one its last heartbeat that returned
     * set, counted from when that heartbeat was sent; no later than the end of a shorter one a heartbeat, or the hold
     * before a release's or a dead job's copy, asked for since, returned or not. SQS's own end is no earlier.
     */
    private volatile long heldUntilNanos;
    /**
     * {@link System#nanoTime()} at which the latest visibility change of {@link #changing} was sent: one sent after a
     * heartbeat's (a settle's hold that went ahead beside it) may have reached SQS after it, so that heartbeat's return
     * does not lengthen the sure hold past the hold's end. Written under this object's monitor, with
     * {@link #heldUntilNanos}.
     */
    private long lastChangeSentNanos;

    /**
     * @param message       the message as received, receipt handle included
     * @param groupId       its FIFO message group, null on standard queues
     * @param receivedNanos {@link System#nanoTime()} at receipt
     * @param lease         the visibility timeout the receive set
     */
    Lease(Message message, @Nullable String groupId, long receivedNanos, Duration lease) {
        this.message = message;
        this.groupId = groupId;
        this.receivedNanos = receivedNanos;
        this.heldUntilNanos = receivedNanos + lease.minus(ANSWER_MARGIN).toNanos();
        this.lastChangeSentNanos = receivedNanos;
    }

    Message message() {
        return message;
    }

    @Nullable String groupId() {
        return groupId;
    }

    long receivedNanos() {
        return receivedNanos;
    }

    /**
     * Held while a call changes this delivery on SQS (a heartbeat, a settle): a ReentrantLock, not a
     * monitor, as the call waits on the network.
     */
    ReentrantLock changes() {
        return changes;
    }

    /** Called by a heartbeat once it holds {@link #changes()}; {@link #heartbeatReturned()} before it lets go. */
    void heartbeatCalling(long nowNanos) {
        heartbeatSinceNanos = nowNanos;
        heartbeatCalling = true;
    }

    void heartbeatReturned() {
        heartbeatCalling = false;
    }

    /**
     * Since when ({@link System#nanoTime()}) the heartbeat that holds {@link #changes()} has been under way, or
     * {@code otherwise} if none is known to hold it.
     */
    long heartbeatCallingSince(long otherwise) {
        // The flag first: seen set, the time read after it is that heartbeat's or a later one's, not an earlier one's.
        return heartbeatCalling ? heartbeatSinceNanos : otherwise;
    }

    /** Written by a settle that changes the visibility without {@link #changes()}, before its call. */
    void visibleAgainAt(long nanos) {
        visibleAgainNanos = nanos;
    }

    /** When a settle beside a heartbeat made the message visible again; null if none did. */
    @Nullable Long visibleAgainNanos() {
        return visibleAgainNanos;
    }

    /**
     * A visibility change to {@code seconds} is sent at {@code sentNanos} ({@link System#nanoTime()}): one that shortens
     * the lease ends SQS's sure hold at its own end from now on, before its call returns, and whether or not it then
     * fails: a call whose answers were lost may have changed the visibility all the same.
     */
    synchronized void changing(long sentNanos, int seconds) {
        if (sentNanos - lastChangeSentNanos > 0) {
            lastChangeSentNanos = sentNanos;
        }
        long end = sentNanos + TimeUnit.SECONDS.toNanos(seconds);
        if (end - heldUntilNanos < 0) {
            heldUntilNanos = end;
        }
    }

    /**
     * A heartbeat sent at {@code sentNanos} ({@link System#nanoTime()}) set the visibility to {@code seconds}. When a
     * change was sent after it (a release's or a dead job's hold that went ahead beside this heartbeat), SQS may have
     * taken that one last: the sure hold then ends no later than it did. Set whole, the heartbeat's return put the end
     * back to its own, and a delete SQS refused after the hold had let another worker receive the message was taken
     * for the delete's own earlier attempt's success.
     */
    synchronized void extended(long sentNanos, int seconds) {
        long end = sentNanos + TimeUnit.SECONDS.toNanos(seconds);
        if (lastChangeSentNanos - sentNanos <= 0 || end - heldUntilNanos < 0) {
            heldUntilNanos = end;
        }
    }

    /**
     * Whether SQS surely still holds this delivery at {@code nowNanos}, its lease (by its receive and its last heartbeat)
     * not yet run out: no other receive can have been handed the message, so a receipt SQS refuses then is refused
     * because the message is gone.
     */
    boolean surelyHeldAt(long nowNanos) {
        return nowNanos - heldUntilNanos < 0;
    }

    String receipt() {
        return message.receiptHandle();
    }

    String messageId() {
        return message.messageId();
    }

    /** How much longer SQS lets this delivery stay invisible, from {@code nowNanos}. */
    Duration visibilityLeft(long nowNanos) {
        return visibilityLeft(receivedNanos, nowNanos);
    }

    /** How much longer SQS lets a delivery received at {@code receivedNanos} stay invisible, from {@code nowNanos}. */
    static Duration visibilityLeft(long receivedNanos, long nowNanos) {
        Duration left = MAX_VISIBILITY.minus(MARGIN).minusNanos(nowNanos - receivedNanos);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
