package dev.jobq.sqs;

import dev.jobq.JobQueueException;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Takes dead messages off the live queue. Under {@code deadLetter: move} the message is first copied
 * to the dead-letter queue, with its body unchanged and its attributes, plus {@value #ERROR},
 * {@value #ATTEMPTS}, {@value #SOURCE_QUEUE} and {@value #DEAD_AT}; only once SQS has accepted the
 * copy is the live message deleted. Under {@code deadLetter: discard} it is deleted with a WARN line.
 */
final class DeadLetterCopies {

    static final String ERROR = "JobqError";
    static final String ATTEMPTS = "JobqAttempts";
    static final String SOURCE_QUEUE = "JobqSourceQueue";
    static final String DEAD_AT = "JobqDeadAt";
    /** Long errors are cut to this many characters, so the copy fits in {@link OutgoingMessage#DEAD_LETTER_RESERVE}. */
    static final int MAX_ERROR_CHARS = 1000;
    /** What is kept of the error before jobq's other attributes are left out of a copy that would not fit. */
    static final int MIN_ERROR_BYTES = 100;

    private static final Logger log = LoggerFactory.getLogger(DeadLetterCopies.class);
    private static final List<String> OWN = List.of(ERROR, ATTEMPTS, SOURCE_QUEUE, DEAD_AT);

    private final SqsClient sqs;
    private final SqsQueue queue;
    private final QueueCalls calls;
    /** The setting of {@code requestTimeout}, as its config names it, for the error of a copy SQS does not answer. */
    private final String requestTimeoutKey;
    private final InstantSource clock;

    DeadLetterCopies(SqsClient sqs, SqsQueue queue, QueueCalls calls, String requestTimeoutKey, InstantSource clock) {
        this.sqs = sqs;
        this.queue = queue;
        this.calls = calls;
        this.requestTimeoutKey = requestTimeoutKey;
        this.clock = clock;
    }

    /**
     * Copies the message of {@code lease} to the dead-letter queue (or discards it) and deletes it
     * from the live queue.
     *
     * @throws JobQueueException when the copy failed; the live message is then left as it is and
     *                           comes back when its visibility timeout ends; an {@link EntryFailure} whose
     *                           {@linkplain EntryFailure#isLostReceipt() receipt is lost} when SQS no longer
     *                           holds the delivery, which is then not copied
     */
    void bury(Lease lease, String jobId, String error, int attempts) {
        // As a message's sender wrote it (of an unreadable message, from its body or its attributes): a newline in it
        // would start a forged line in an application's own logging
        String shown = IncomingMessages.shown(jobId);
        String deadLetterUrl = queue.deadLetterUrl();
        if (deadLetterUrl == null) {
            delete(lease, shown);
            log.warn("job {} of {} discarded after {} attempt(s) (deadLetter: discard): {}", shown, queue.label(),
                    attempts, error);
            return;
        }
        holdForTheCopy(lease, shown);
        try {
            sqs.sendMessage(copy(lease, deadLetterUrl, error, attempts));
        } catch (SdkException e) {
            throw new JobQueueException("copying dead job " + shown + " to dead-letter queue " + queue.shownDeadLetterUrl()
                    + " failed: " + QueueCalls.failureOf(e, calls.requestTimeout(), "", requestTimeoutKey) + "; it stays on "
                    + queue.label() + " and comes back when its visibility timeout ends", e);
        }
        try {
            delete(lease, shown);
        } catch (RuntimeException e) {
            log.warn("job {} was copied to dead-letter queue {}, but deleting it from {} failed; it will be delivered "
                    + "again and dead-lettered again (a second copy)", shown, queue.shownDeadLetterUrl(), queue.label(), e);
        }
    }

    /**
     * Deletes the delivery of {@code lease} from the live queue, as an acknowledgement does ({@link QueueCalls#deleteHeld});
     * {@code jobId} as it is logged.
     */
    private void delete(Lease lease, String jobId) {
        RuntimeException gone = calls.deleteHeld(lease);
        if (gone != null) {
            log.debug("job {} on {}: SQS refused the receipt of its dead delivery's delete within its lease ({}); it is "
                    + "gone, deleted by an earlier attempt of the call whose answer was lost", jobId, queue.label(),
                    gone.getMessage());
        }
    }

    /**
     * Makes sure SQS still holds the delivery before it is copied, and keeps it hidden for the copy and the delete:
     * a delivery whose lease ran out may be running elsewhere, and a copy of it would put on the dead-letter queue
     * a job that the other delivery runs on (a redrive then runs it again) or dead-letters a second time. A lost
     * receipt is thrown, for the settle to ignore, and so is a queue that no longer exists, for the settle to report
     * (no copy is made of a job whose queue was deleted, nor said to come again); any other refusal (a worker without
     * {@code sqs:ChangeMessageVisibility}) does not stop the copy, which never needed it.
     */
    private void holdForTheCopy(Lease lease, String jobId) {
        long now = System.nanoTime();
        int seconds = (int) Math.max(1, Math.min(queue.lease().toSeconds(), lease.visibilityLeft(now).toSeconds()));
        // A lease a heartbeat extended past the queue's is shortened here: SQS surely holds the delivery no longer.
        lease.changing(now, seconds);
        try {
            calls.changeVisibility(lease.receipt(), seconds);
        } catch (RuntimeException e) {
            if (EntryFailure.isLostReceipt(e) || e instanceof QueueDoesNotExistException) {
                // a queue deleted under the provider holds no delivery either: a copy would outlive it, and the
                // delete after it fail
                throw e;
            }
            log.debug("job {} on {}: checking that SQS still holds its delivery before its dead-letter copy failed; "
                    + "copying it all the same", jobId, queue.label(), e);
        }
    }

    /**
     * The error as SQS takes it in an attribute, cut to {@value #MAX_ERROR_CHARS} characters after the
     * escapes (so that it fits in {@link OutgoingMessage#DEAD_LETTER_RESERVE}), never between the two
     * halves of an emoji nor inside an escape ({@link UntrustedText#wholeEnd}); a longer one with the secrets of its URLs
     * masked before the cut ({@link Secrets#maskUrl}): cut first, a URL the cut went through lost the '@' after its
     * password, and the masks that show the dead letter ({@code jobq dead-letters list}'s) found none and showed its
     * first characters. An error that fits is kept as it is: its URLs reach those masks whole.
     */
    static String errorText(String error) {
        String text = OutgoingMessage.sqsText(error);
        if (text.length() <= MAX_ERROR_CHARS) {
            return text;
        }
        text = OutgoingMessage.sqsText(Secrets.maskUrl(error));
        if (text.length() <= MAX_ERROR_CHARS) {
            return text;
        }
        return text.substring(0, UntrustedText.wholeEnd(text, MAX_ERROR_CHARS)) + "…";
    }

    /**
     * Makes the copy fit the dead-letter queue's size: jobq's own messages keep {@link OutgoingMessage#DEAD_LETTER_RESERVE}
     * free for the four attributes added here, but another producer's message may come within a few
     * bytes of the limit, and SQS would refuse its copy each time it died, so it would come back
     * every visibility timeout and never be dead-lettered. What goes, until the copy fits, each with
     * a WARN: the producer's own attributes (last first); the error beyond its first
     * {@value #MIN_ERROR_BYTES} bytes; {@value #DEAD_AT}, {@value #SOURCE_QUEUE}, {@value #ATTEMPTS};
     * the rest of the error. The body is never cut.
     */
    private void fit(Lease lease, Map<String, MessageAttributeValue> attributes) {
        int limit = queue.deadLetterMaxBytes();
        int body = OutgoingMessage.bytes(lease.message().body());
        IntSupplier over = () -> body + OutgoingMessage.attributesSize(attributes) - limit;
        List<String> theirs = new ArrayList<>(attributes.keySet().stream().filter(name -> !OWN.contains(name)).toList());
        Collections.reverse(theirs);
        drop(lease, attributes, theirs, over);
        cutError(attributes, MIN_ERROR_BYTES, over);
        drop(lease, attributes, List.of(DEAD_AT, SOURCE_QUEUE, ATTEMPTS), over);
        cutError(attributes, 0, over);
    }

    private void drop(Lease lease, Map<String, MessageAttributeValue> attributes, List<String> names,
                      IntSupplier over) {
        for (String name : names) {
            if (over.getAsInt() <= 0) {
                return;
            }
            attributes.remove(name);
            log.warn("dead-letter copy of message {} leaves out its attribute {}: with it the copy would be over the "
                    + "dead-letter queue's {} bytes", IncomingMessages.shown(lease.messageId()), name,
                    queue.deadLetterMaxBytes());
        }
    }

    /** Cuts the error by what the copy is over, to no fewer than {@code floor} bytes; removes it when nothing is left. */
    private static void cutError(Map<String, MessageAttributeValue> attributes, int floor, IntSupplier over) {
        MessageAttributeValue error = attributes.get(ERROR);
        int excess = over.getAsInt();
        if (error == null || excess <= 0) {
            return;
        }
        int bytes = OutgoingMessage.bytes(error.stringValue());
        String cut = cut(error.stringValue(), Math.max(bytes - excess, Math.min(floor, bytes)));
        if (cut.isEmpty()) {
            attributes.remove(ERROR); // SQS takes no empty value
        } else if (!cut.equals(error.stringValue())) {
            attributes.put(ERROR, OutgoingMessage.string(cut));
        }
    }

    /**
     * The longest start of {@code text} of at most {@code maxBytes} UTF-8 bytes, "…" included, whole characters and
     * whole escapes only ({@link UntrustedText#wholeEnd}): a copy one byte over its queue's size was cut inside an
     * escape. Masked before it is cut, as {@link #errorText} is.
     */
    static String cut(String error, int maxBytes) {
        if (OutgoingMessage.bytes(error) <= maxBytes) {
            return error;
        }
        String text = Secrets.maskUrl(error);
        if (OutgoingMessage.bytes(text) <= maxBytes) {
            return text;
        }
        int room = maxBytes - OutgoingMessage.bytes("…");
        int end = 0;
        int used = 0;
        while (end < text.length()) {
            int next = text.offsetByCodePoints(end, 1);
            int size = OutgoingMessage.bytes(text.substring(end, next));
            if (used + size > room) {
                break;
            }
            used += size;
            end = next;
        }
        return room <= 0 ? "" : text.substring(0, UntrustedText.wholeEnd(text, end)) + "…";
    }

    private SendMessageRequest copy(Lease lease, String deadLetterUrl, String error, int attempts) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put(ERROR, OutgoingMessage.string(errorText(error)));
        attributes.put(ATTEMPTS, OutgoingMessage.number(attempts));
        // Masked as a log line shows it: whoever may read the dead-letter queue reads this, not only who holds the config.
        attributes.put(SOURCE_QUEUE, OutgoingMessage.string(Secrets.maskUrl(queue.url())));
        attributes.put(DEAD_AT, OutgoingMessage.string(clock.instant().toString()));
        Map<String, MessageAttributeValue> original = lease.message().messageAttributes();
        original.forEach((name, value) -> {
            if (OWN.contains(name)) {
                return;
            }
            if (attributes.size() < OutgoingMessage.MAX_ATTRIBUTES) {
                attributes.put(name, value);
            } else {
                log.warn("dead-letter copy of message {} leaves out its attribute {}: SQS takes at most {} attributes",
                        IncomingMessages.shown(lease.messageId()), name, OutgoingMessage.MAX_ATTRIBUTES);
            }
        });
        fit(lease, attributes);
        var request = SendMessageRequest.builder().queueUrl(deadLetterUrl).messageBody(lease.message().body())
                .messageAttributes(attributes);
        if (queue.fifo()) {
            request.messageGroupId(lease.groupId() != null ? lease.groupId() : "jobq-dead")
                    .messageDeduplicationId("dead-" + lease.messageId());
        }
        return request.build();
    }
}
