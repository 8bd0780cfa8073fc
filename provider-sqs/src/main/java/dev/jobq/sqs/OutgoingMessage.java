package dev.jobq.sqs;

import dev.jobq.JobRejectedException;
import dev.jobq.spi.JobEnvelope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * One message on its way to SQS: the envelope's JSON body with the String attributes {@code JobId}
 * and {@code JobType} (DESIGN §5), and on FIFO queues its message group and deduplication id.
 *
 * @param envelope        the job
 * @param body            the encoded envelope
 * @param attributes      the message attributes
 * @param delaySeconds    the SQS delay (standard queues only; 0 on FIFO)
 * @param groupId         the FIFO message group, null on standard queues
 * @param deduplicationId the FIFO deduplication id, null on standard queues
 */
record OutgoingMessage(JobEnvelope envelope, String body, Map<String, MessageAttributeValue> attributes,
                       int delaySeconds, @Nullable String groupId, @Nullable String deduplicationId) {

    static final String JOB_ID = "JobId";
    static final String JOB_TYPE = "JobType";
    /** SQS takes at most this many message attributes. */
    static final int MAX_ATTRIBUTES = 10;
    /**
     * Room kept in every message for the attributes its dead-letter copy adds. The core's payload refusal on SQS
     * repeats it (Enqueuer.SQS_DEAD_LETTER_RESERVE: queue-spi cannot see this class) to name the queue's limit before
     * the reserve; {@code SqsEnqueueRulesTest.aPayloadOverTheDeadLetterQueuesLimitIsRefusedNamingTheQueuesSizes} pins
     * both, so a change to one alone fails it.
     */
    static final int DEAD_LETTER_RESERVE = 4 * 1024;
    /**
     * Room kept, when a job is checked before the scheduler holds it, for what the scheduler writes
     * anew at the hand-off: a recurring occurrence's id and instants, written to the nanosecond
     * (each instant up to 10 characters longer than one on a whole second).
     */
    static final int REWRITE_RESERVE = 64;

    private static final Pattern DEDUPLICATION_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");

    /** The SQS message size of this one: body plus each attribute's name, type and value, in UTF-8 bytes. */
    int size() {
        return bytes(body) + attributesSize(attributes);
    }

    static int attributesSize(Map<String, MessageAttributeValue> attributes) {
        int size = 0;
        for (var attribute : attributes.entrySet()) {
            MessageAttributeValue value = attribute.getValue();
            size += bytes(attribute.getKey()) + bytes(value.dataType());
            size += value.stringValue() != null ? bytes(value.stringValue())
                    : value.binaryValue() != null ? value.binaryValue().asByteArray().length : 0;
        }
        return size;
    }

    /**
     * Throws if this message, with room for its dead-letter attributes and {@code reserve} bytes more,
     * is over the queue's limit.
     */
    void requireWithin(SqsQueue queue, int reserve) {
        int limit = queue.maxMessageBytes() - DEAD_LETTER_RESERVE - reserve;
        int size = size();
        if (size > limit) {
            throw new JobRejectedException(named(envelope) + " would be an SQS message of " + size + " bytes (payload "
                    + bytes(envelope.payloadJson()) + " bytes), over "
                    + "the limit of " + limit + " bytes of " + queue.label() + ": " + queue.maxMessageBytes()
                    + (queue.deadLetterUrl() == null ? " bytes (maxPayloadBytes, or the queue's MaximumMessageSize)"
                    // a dead-letter queue that takes less limits every job too: each dead one is copied there
                    : " bytes (the lowest of maxPayloadBytes and the MaximumMessageSize of the queue and of its "
                    + "dead-letter queue, which each dead job is copied to)") + " less " + DEAD_LETTER_RESERVE
                    + " kept for the attributes of a dead-letter copy"
                    + (reserve > 0 ? " and " + reserve + " for the scheduler, which holds the job until it is due" : "")
                    + "; store large data elsewhere (S3, a database) and enqueue its id");
        }
    }

    /**
     * "job ID of type 'TYPE'", as a refusal or failure at enqueue names a job: both {@linkplain IncomingMessages#shown
     * escaped}, as a type may hold a bidirectional override (U+202E, no control character) and an id given to the
     * provider anything. Called only where a failure is built, not on a job's way through.
     */
    static String named(JobEnvelope envelope) {
        return "job " + IncomingMessages.shown(envelope.jobId()) + " of type '"
                + IncomingMessages.shown(envelope.type()) + "'";
    }

    SendMessageBatchRequestEntry toEntry(String id) {
        var entry = SendMessageBatchRequestEntry.builder().id(id).messageBody(body).messageAttributes(attributes);
        if (groupId != null) {
            entry.messageGroupId(groupId).messageDeduplicationId(deduplicationId);
        } else {
            entry.delaySeconds(delaySeconds);
        }
        return entry.build();
    }

    /** The standard attributes of a job message. */
    static Map<String, MessageAttributeValue> jobAttributes(JobEnvelope envelope) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put(JOB_ID, string(envelope.jobId()));
        attributes.put(JOB_TYPE, string(envelope.type()));
        return attributes;
    }

    /**
     * A String attribute. A character SQS refuses in one (a control character other than tab, line feed
     * and carriage return; U+FFFE, U+FFFF; half of a surrogate pair without its other half) is written
     * as its {@code \\uXXXX} escape: a job id, type or error can hold one that its message escaped, or
     * text cut inside an emoji, and SQS would refuse the whole message for it.
     */
    static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(sqsText(value)).build();
    }

    static String sqsText(String text) {
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean taken = (c >= 0x20 ? c < 0xFFFE : c == '\t' || c == '\n' || c == '\r') && !isLoneSurrogate(text, i);
            if (!taken && escaped == null) {
                escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (escaped != null) {
                if (taken) {
                    escaped.append(c);
                } else {
                    escaped.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return escaped == null ? text : escaped.toString();
    }

    private static boolean isLoneSurrogate(String text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
    }

    static MessageAttributeValue number(long value) {
        return MessageAttributeValue.builder().dataType("Number").stringValue(Long.toString(value)).build();
    }

    /**
     * A FIFO deduplication or group id for a key, job id or job type: the text itself when SQS takes it (1 to 128
     * printable ASCII characters without spaces), else its SHA-256, so that any key deduplicates.
     */
    static String sqsId(String keyOrJobId) {
        if (DEDUPLICATION_ID.matcher(keyOrJobId).matches()) {
            return keyOrJobId;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyOrJobId.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
