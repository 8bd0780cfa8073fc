package dev.jobq.sqs;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.JobOptions;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.EnvelopeCodec;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.UnreadableEnvelopeException;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Turns received messages into leased jobs. The attempt of a delivery is the envelope's attempts
 * plus SQS's {@code ApproximateReceiveCount}, so a delivery whose worker crashed counts.
 *
 * <p>A body that is not a job envelope never reaches the worker and never loops: it is
 * dead-lettered at once with the reason. A well-formed envelope of a newer version is postponed
 * (its visibility timeout, then twice that) for a newer worker to take, and dead-lettered on its
 * third delivery ({@link JobOptions#DEFAULT_MAX_ATTEMPTS}), since its own options cannot be read, or on the last
 * the queue's redrive policy lets it have ({@code maxReceiveCount}), if fewer. Each
 * of these is logged and reported to the queue's listeners as a {@link JobEvent.Failed} or
 * {@link JobEvent.Dead}, with the job's keys in the log context as the worker's lines about an attempt have them
 * ({@link #inLogContext}).
 */
final class IncomingMessages {

    private static final Logger log = LoggerFactory.getLogger(IncomingMessages.class);
    static final String UNREADABLE_TYPE = "unreadable";
    /**
     * The characters of a job id or type a log line shows, {@linkplain UntrustedText#escape escaped}: of an unreadable
     * message, they are what its sender wrote in its body or its attributes, and a newline in one would start a forged
     * line in an application's own logging (docs/operations.md, Logs).
     */
    static final int SHOWN_CHARS = 200;

    private final SqsQueue queue;
    private final EnvelopeCodec codec;
    private final Leases leases;
    private final QueueCalls calls;
    private final DeadLetterCopies deadLetters;
    private final JobListener events;
    private final InstantSource clock;
    /**
     * The delivery on which a newer envelope is dead-lettered: the third, or the last the redrive policy's
     * maxReceiveCount lets a message have, before SQS moves it without jobq's error.
     */
    private final int newerVersionDeliveries;
    /** Whether a receive count that is not a number was logged: once per provider. */
    private final AtomicBoolean toldUnreadableCount = new AtomicBoolean();

    IncomingMessages(SqsQueue queue, EnvelopeCodec codec, Leases leases, QueueCalls calls,
                     DeadLetterCopies deadLetters, JobListener events, InstantSource clock) {
        this.queue = queue;
        this.codec = codec;
        this.leases = leases;
        this.calls = calls;
        this.deadLetters = deadLetters;
        this.events = events;
        this.clock = clock;
        this.newerVersionDeliveries = Math.min(JobOptions.DEFAULT_MAX_ATTEMPTS, queue.maxReceives());
    }

    /** The jobs among {@code messages}, leased; unreadable messages are dealt with here. */
    List<ReceivedJob> accept(List<Message> messages) {
        return accept(messages, events);
    }

    /** As {@link #accept(List)}, with what is done to unreadable messages told to {@code announce}. */
    List<ReceivedJob> accept(List<Message> messages, JobListener announce) {
        List<ReceivedJob> jobs = new ArrayList<>(messages.size());
        long now = System.nanoTime();
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            if (receivedAgainLater(messages, i)) {
                // SQS delivers at least once, and may answer a message twice in one batch: handed out twice, the job ran
                // twice side by side, and with one receipt twice neither delivery was current (Leases.add forgot the
                // receipt it had just taken as the older one's), so neither could be acknowledged. Only the later one
                // is handed out, its receipt the newest.
                log.debug("message {} came twice in one receive from {}; handed out once", shown(message.messageId()),
                        queue.label());
                continue;
            }
            if (leases.current(message.receiptHandle()).isPresent()) {
                // The very delivery a receive before handed out, its receipt unchanged (a server or proxy that answers
                // one again): not a new delivery. Handed out again, its job ran twice side by side, and Leases.add
                // forgot the receipt of both, so neither could be acknowledged and the message came back.
                log.debug("message {} from {} came again with a receipt already handed out; not handed out twice",
                        shown(message.messageId()), queue.label());
                continue;
            }
            var lease = new Lease(message, message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID), now,
                    queue.lease());
            int receives = receiveCount(lease);
            JobEnvelope envelope;
            try {
                envelope = codec.decode(message.body());
            } catch (UnreadableEnvelopeException e) {
                unreadable(lease, e, receives, announce);
                continue;
            }
            leases.add(lease);
            int attempt = (int) Math.min(Integer.MAX_VALUE, (long) envelope.attempt() + receives);
            jobs.add(new ReceivedJob(withinTwelveHours(envelope), attempt, lease.receipt(), queue.lease()));
        }
        return jobs;
    }

    /**
     * {@code envelope}, its timeout cut to {@link Lease#MAX_TIMEOUT} with a WARN where it is longer: jobq refuses such a
     * timeout at enqueue, but another producer's message may carry one ({@code timeoutMs}), and it ran with it until its
     * heartbeat at 12 h failed, when SQS made the message visible and another worker could run it beside the first
     * (DESIGN §4). Only a comparison for any other job.
     */
    private JobEnvelope withinTwelveHours(JobEnvelope envelope) {
        JobOptions options = envelope.options();
        if (options.timeout().compareTo(Lease.MAX_TIMEOUT) <= 0) {
            return envelope;
        }
        String most = DurationFormat.format(Lease.MAX_TIMEOUT);
        log.warn("job {} ({}) on {} has a timeout of {}, longer than the {} a job on SQS may have (SQS hides a received "
                + "message for at most 12 h: a handler still running then is delivered again and runs twice side by "
                + "side); it runs with a timeout of {}. jobq refuses a longer one at enqueue; this job's producer did "
                + "not: give it a timeout of at most {}, or split the work into shorter jobs", shown(envelope.jobId()),
                shown(envelope.type()), queue.label(), DurationFormat.format(options.timeout()), most, most, most);
        return new JobEnvelope(envelope.version(), envelope.jobId(), envelope.type(), envelope.payloadJson(),
                new JobOptions(options.maxAttempts(), Lease.MAX_TIMEOUT, options.priority(), options.deduplicationKey(),
                        options.queue()), envelope.attempt(), envelope.createdAt(), envelope.scheduledFor(),
                envelope.traceId());
    }

    /** Whether the message at {@code index} comes again later in {@code messages}. */
    private static boolean receivedAgainLater(List<Message> messages, int index) {
        String id = messages.get(index).messageId();
        for (int later = index + 1; later < messages.size(); later++) {
            if (messages.get(later).messageId().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private void unreadable(Lease lease, UnreadableEnvelopeException e, int receives, JobListener announce) {
        String jobId = e.jobId() != null ? e.jobId() : attribute(lease, OutgoingMessage.JOB_ID, "sqs-message-"
                + lease.messageId());
        String type = e.type() != null ? e.type() : attribute(lease, OutgoingMessage.JOB_TYPE, UNREADABLE_TYPE);
        inLogContext(jobId, type, receives, () -> deadOrPostponed(lease, e, receives, jobId, type, announce));
    }

    private void deadOrPostponed(Lease lease, UnreadableEnvelopeException e, int receives, String jobId, String type,
                                 JobListener announce) {
        if (e.isNewerVersion() && receives < newerVersionDeliveries) {
            postpone(lease, e, receives, jobId, type, announce);
            return;
        }
        String reason = e.isNewerVersion()
                ? e.getMessage() + "; no worker that reads it took it in " + receives + " deliveries"
                : "unreadable message " + shown(lease.messageId()) + ": " + e.getMessage();
        try {
            deadLetters.bury(lease, jobId, reason, receives);
        } catch (RuntimeException failed) {
            log.error("job {} ({}) on {} cannot be read and could not be dead-lettered; it comes back after its "
                    + "visibility timeout: {}", shown(jobId), shown(type), queue.label(), reason, failed);
            return;
        }
        log.warn("job {} ({}) on {} is dead without running: {}", shown(jobId), shown(type), queue.label(), reason);
        announce.onEvent(new JobEvent.Dead(clock.instant(), queue.name(), jobId, type, receives, reason));
    }

    private void postpone(Lease lease, UnreadableEnvelopeException e, int receives, String jobId, String type,
                          JobListener announce) {
        // SQS holds a received message invisible for at most 12 h in all: a longer change is refused.
        Duration delay = min(queue.lease().multipliedBy(receives), lease.visibilityLeft(System.nanoTime()));
        try {
            calls.changeVisibility(lease.receipt(), (int) Math.min(delay.toSeconds(), Integer.MAX_VALUE));
        } catch (RuntimeException failed) {
            // Not postponed: it comes back when the visibility timeout of its receive ends, and the event says so.
            log.warn("job {} ({}) on {}: {}; postponing it {} s for a newer worker failed, so it comes back after its "
                    + "visibility timeout, {} s (delivery {}; dead-lettered on delivery {})", shown(jobId), shown(type),
                    queue.label(), e.getMessage(), delay.toSeconds(), queue.lease().toSeconds(), receives,
                    newerVersionDeliveries, failed);
            announce.onEvent(new JobEvent.Failed(clock.instant(), queue.name(), jobId, type, receives, e.getMessage(),
                    queue.lease()));
            return;
        }
        log.warn("job {} ({}) on {}: {}; postponed {} s for a newer worker (delivery {}; dead-lettered on delivery {})",
                shown(jobId), shown(type), queue.label(), e.getMessage(), delay.toSeconds(), receives,
                newerVersionDeliveries);
        announce.onEvent(new JobEvent.Failed(clock.instant(), queue.name(), jobId, type, receives, e.getMessage(),
                delay));
    }

    /**
     * Tells {@code event}, a {@link JobEvent.Dead} or {@link JobEvent.Failed} of a message {@link #accept} dealt with,
     * to {@code listener} in the job's log context, as {@link #accept} tells it: for the events a poll whose receiver
     * left tells once it has ended.
     */
    static void tell(JobListener listener, JobEvent event) {
        switch (event) {
            case JobEvent.Dead dead -> inLogContext(dead.jobId(), dead.type(), dead.attempt(),
                    () -> listener.onEvent(event));
            case JobEvent.Failed failed -> inLogContext(failed.jobId(), failed.type(), failed.attempt(),
                    () -> listener.onEvent(event));
            default -> listener.onEvent(event);
        }
    }

    /**
     * Runs {@code action} with the job's id, type and attempt in the calling thread's log context, under the keys the
     * worker puts for an attempt (docs/operations.md, Logs): a message dead-lettered or postponed here is an attempt
     * (the outcome line and {@code jobq_jobs_total} count it), and its warning and outcome line, logged on the poll
     * thread, which has no job's keys, lacked the {@code [jobId]} that every other line about an attempt has. The
     * thread's own log context is as it was afterwards. Only on this path: a readable message puts nothing. The id and
     * type {@linkplain #shown shown} as this class's lines show them: they are what the sender wrote, refused for a
     * control character or a length as often as not, and an application's {@code %X{jobId}} repeated them raw.
     */
    private static void inLogContext(String jobId, String type, int attempt, Runnable action) {
        Map<String, String> own = MDC.getCopyOfContextMap();
        MDC.put("jobId", shown(jobId));
        MDC.put("jobType", shown(type));
        MDC.put("attempt", Integer.toString(attempt));
        MDC.remove("traceId"); // its envelope cannot be read: none of the thread's may stand for it
        try {
            action.run();
        } finally {
            if (own == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(own);
            }
        }
    }

    /**
     * The String attribute {@code name} of the message, else {@code otherwise}: what the producer said
     * the job is, where its body cannot say (docs/wire-format.md, SQS message attributes).
     */
    private static String attribute(Lease lease, String name, String otherwise) {
        MessageAttributeValue value = lease.message().messageAttributes().get(name);
        return value == null || value.stringValue() == null || value.stringValue().isBlank() ? otherwise
                : value.stringValue();
    }

    /**
     * A value a server answered where SQS answers a number, in single quotes as a log line or an error shows it: escaped,
     * cut after {@value #SHOWN_CHARS} characters. A server or proxy that is not SQS wrote it, and a newline in it would
     * start a forged line, as in a job id ({@link #shown}).
     */
    static String answered(String value) {
        return UntrustedText.singleQuote(value, SHOWN_CHARS);
    }

    /** {@code idOrType} as a log line shows it: escaped, cut after {@value #SHOWN_CHARS} characters. */
    static String shown(String idOrType) {
        return UntrustedText.escape(idOrType, SHOWN_CHARS);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * SQS's count of the message's receives, this one included. One that is missing, not a number or below 1 (a server
     * or a proxy that is not SQS) is read as 1, so the message runs rather than fail the receive, and a WARN says so,
     * once per provider: read as 1 each time, a failing job's attempts are not counted and it is retried without end.
     */
    private int receiveCount(Lease lease) {
        String count = lease.message().attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        try {
            int receives = count == null ? 0 : Integer.parseInt(count);
            if (receives >= 1) { // SQS counts this receive: 0 or less is not its answer
                return receives;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        if (toldUnreadableCount.compareAndSet(false, true)) {
            log.warn("{} answered {} for job {} (message {}), not a number of receives as SQS answers (a server or "
                    + "proxy that is not SQS?); each such delivery is taken as the first, so attempts are not counted "
                    + "and a failing job is retried without end (only a redrive policy's maxReceiveCount moves it to "
                    + "the dead-letter queue); check the endpoint. Told once", queue.label(), count == null
                    ? "no ApproximateReceiveCount" : "an ApproximateReceiveCount of " + answered(count),
                    shown(attribute(lease, OutgoingMessage.JOB_ID, "?")), shown(lease.messageId()));
        }
        return 1;
    }
}
