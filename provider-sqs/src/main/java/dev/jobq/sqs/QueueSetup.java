package dev.jobq.sqs;

import dev.jobq.ConfigException;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.Settings;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The start-up checks: finds (or, for development, creates) the queue, reads its attributes, and
 * settles where dead jobs go. A queue with no dead-letter queue configured and no redrive policy
 * makes the provider refuse to start unless {@code deadLetter: discard} says dead jobs may be
 * deleted (DESIGN §4).
 */
final class QueueSetup {

    private static final Logger log = LoggerFactory.getLogger(QueueSetup.class);
    private static final Pattern TARGET_ARN = Pattern.compile("\"deadLetterTargetArn\"\\s*:\\s*\"([^\"]+)\"");
    /** A message needs room for a job and for the attributes of its dead-letter copy. */
    private static final int MIN_MESSAGE_BYTES = 4 * OutgoingMessage.DEAD_LETTER_RESERVE;
    private static final Pattern MAX_RECEIVE_COUNT = Pattern.compile("\"maxReceiveCount\"\\s*:\\s*\"?(\\d+)");

    private final SqsClient sqs;
    private final SqsSettings settings;
    private final Settings section;
    private final String queueName;
    /** The jobq queue name as its log lines and errors show it: escaped, a U+202E in it would reverse the rest. */
    private final String shownName;
    /** The queue's ARN once {@link #resolve()} read it: the same however its URL or name was written. */
    private @Nullable String arn;
    /** Its dead-letter queue's ARN once {@link #resolve()} read it; null when dead jobs are discarded. */
    private @Nullable String deadLetterArn;

    QueueSetup(SqsClient sqs, SqsSettings settings, Settings section, String queueName) {
        this.sqs = sqs;
        this.settings = settings;
        this.section = section;
        this.queueName = queueName;
        this.shownName = UntrustedText.escape(queueName);
    }

    SqsQueue resolve() {
        String url = queueUrl();
        Map<QueueAttributeName, String> attributes = attributes(url, "queue");
        arn = attributes.getOrDefault(QueueAttributeName.QUEUE_ARN, url);
        boolean fifo = Boolean.parseBoolean(attributes.get(QueueAttributeName.FIFO_QUEUE));
        if (fifo) {
            warnOnDeduplicationPerGroup(url, attributes.get(QueueAttributeName.DEDUPLICATION_SCOPE));
        }
        Duration lease = settings.visibilityTimeout() != null ? settings.visibilityTimeout() : queueLease(url, attributes);
        int maxMessageBytes = maxMessageBytes(url, attributes, settings.maxPayloadBytes());
        String deadLetterUrl = deadLetterUrl(url, attributes.get(QueueAttributeName.REDRIVE_POLICY));
        int deadLetterMaxBytes = maxMessageBytes;
        if (deadLetterUrl != null) {
            Map<QueueAttributeName, String> deadLetterAttributes = attributes(deadLetterUrl, "dead-letter queue");
            deadLetterArn = deadLetterAttributes.getOrDefault(QueueAttributeName.QUEUE_ARN, deadLetterUrl);
            if (deadLetterArn.equals(arn)) {
                // Each dead job would be received from there and run again, dying and coming back for ever.
                throw refuse("deadLetterQueueUrl", "SQS queue " + shownUrl(deadLetterUrl) + " is the queue itself ("
                        + shownUrl(url) + "): every dead job would come back and run again; give the queue a "
                        + "dead-letter queue of its own (docs/sqs.md)");
            }
            requireSameKind(url, fifo, deadLetterUrl, deadLetterAttributes);
            warnOnOtherRedriveTarget(url, attributes.get(QueueAttributeName.REDRIVE_POLICY), deadLetterUrl,
                    deadLetterAttributes.get(QueueAttributeName.QUEUE_ARN));
            warnOnNoRedrivePolicy(url, attributes.get(QueueAttributeName.REDRIVE_POLICY), deadLetterUrl,
                    deadLetterAttributes.get(QueueAttributeName.QUEUE_ARN));
            // Every job must fit its dead-letter queue too, or its copy would fail each time it dies.
            maxMessageBytes = maxMessageBytes(deadLetterUrl, deadLetterAttributes, maxMessageBytes);
            // A copy is held to what the dead-letter queue takes, not to maxPayloadBytes: another producer's message
            // larger than the setting would otherwise lose its error and every attribute on the way there.
            deadLetterMaxBytes = answeredMaxMessageBytes(deadLetterUrl, deadLetterAttributes, maxMessageBytes);
        }
        if (maxMessageBytes < MIN_MESSAGE_BYTES) {
            throw refuse("maxPayloadBytes", "SQS queue " + shownUrl(url) + " or its dead-letter queue takes "
                    + "messages of at most " + maxMessageBytes + " bytes (MaximumMessageSize); jobq needs at least "
                    + MIN_MESSAGE_BYTES + ": raise MaximumMessageSize (aws sqs set-queue-attributes)");
        }
        return new SqsQueue(queueName, url, fifo, deadLetterUrl, lease, maxMessageBytes,
                maxReceives(attributes.get(QueueAttributeName.REDRIVE_POLICY)), deadLetterMaxBytes);
    }

    /** The queue's ARN, after {@link #resolve()}. */
    String arn() {
        return Objects.requireNonNull(arn, "resolve() first");
    }

    /** Its dead-letter queue's ARN, after {@link #resolve()}; empty when dead jobs are discarded. */
    Optional<String> deadLetterArn() {
        return Optional.ofNullable(deadLetterArn);
    }

    /** The key of the section that names the queue: {@code queueUrl} or {@code queueName}. */
    String queueKey() {
        return key(settings.queueUrl() != null ? "queueUrl" : "queueName");
    }

    /** The key of the section that names the dead-letter queue. */
    String deadLetterKey() {
        return key("deadLetterQueueUrl");
    }

    private String queueUrl() {
        if (settings.queueUrl() != null) {
            return settings.queueUrl().toString();
        }
        String name = settings.queueName();
        try {
            return sqs.getQueueUrl(r -> r.queueName(name)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            if (!settings.createIfMissing()) {
                throw refuse("queueName", "SQS queue '" + name + "' does not exist; create it (docs/sqs.md shows "
                        + "how, with its dead-letter queue) or set createIfMissing: true for development");
            }
        } catch (SdkException e) {
            throw unreachable("looking up the URL of queue '" + name + "'", e);
        }
        try {
            String url = sqs.createQueue(r -> r.queueName(name).attributes(settings.fifo()
                    ? Map.of(QueueAttributeName.FIFO_QUEUE, "true") : Map.of())).queueUrl();
            log.info("created SQS queue {} for jobq queue '{}' (createIfMissing)", shownUrl(url), shownName);
            return url;
        } catch (SdkException e) {
            throw unreachable("creating queue '" + name + "' (createIfMissing)", e);
        }
    }

    /**
     * The queue's own VisibilityTimeout as the lease. SQS allows 0, which would make every message
     * visible again the moment it is received: each job would run again, elsewhere, while it runs.
     */
    private Duration queueLease(String url, Map<QueueAttributeName, String> attributes) {
        String seconds = attributes.getOrDefault(QueueAttributeName.VISIBILITY_TIMEOUT, "30");
        long parsed = parseOr(seconds, -1);
        if (parsed < 0 || parsed > Lease.MAX_VISIBILITY.toSeconds()) {
            // Not SQS's answer: a bare NumberFormatException, or a lease that every receive asks for and SQS refuses.
            throw refuse("visibilityTimeout", "SQS queue " + shownUrl(url) + " answered a VisibilityTimeout of "
                    + IncomingMessages.answered(seconds) + ", not a whole number of seconds from 0 to "
                    + Lease.MAX_VISIBILITY.toSeconds() + " as SQS answers (a server or proxy that is not SQS?); set "
                    + "visibilityTimeout (60s, say), which is then the lease and the queue's is not read, or check the "
                    + "endpoint");
        }
        Duration lease = Duration.ofSeconds(parsed);
        if (lease.isZero()) {
            throw refuse("visibilityTimeout", "SQS queue " + shownUrl(url) + " has a VisibilityTimeout of 0 seconds, "
                    + "which jobq uses as the lease when visibilityTimeout is not set: every job would be delivered again while it "
                    + "runs; set visibilityTimeout (60s, say), or raise the queue's VisibilityTimeout (aws sqs "
                    + "set-queue-attributes)");
        }
        return lease;
    }

    /** The lower of {@code limit} and the queue's MaximumMessageSize. */
    private static int maxMessageBytes(String url, Map<QueueAttributeName, String> attributes, int limit) {
        int queueLimit = answeredMaxMessageBytes(url, attributes, limit);
        if (queueLimit < limit) {
            log.info("SQS queue {} takes messages up to {} bytes (its MaximumMessageSize), less than {}: jobs are "
                    + "limited to {} bytes", shownUrl(url), queueLimit, limit, queueLimit);
            return queueLimit;
        }
        return limit;
    }

    /**
     * The queue's MaximumMessageSize, else {@code otherwise}: when it answers none (ElasticMQ), or one that is not a
     * number of bytes (a server or proxy that is not SQS), which a WARN tells of; SQS refuses a message over
     * its own limit at the send, where the enqueue fails with SQS's error and nothing is lost.
     */
    private static int answeredMaxMessageBytes(String url, Map<QueueAttributeName, String> attributes, int otherwise) {
        String text = attributes.get(QueueAttributeName.MAXIMUM_MESSAGE_SIZE);
        if (text == null) {
            return otherwise;
        }
        long bytes = parseOr(text, -1);
        if (bytes < 0) {
            log.warn("SQS queue {} answered a MaximumMessageSize of {}, not a number of bytes as SQS answers (a server "
                    + "or proxy that is not SQS?); read as none: messages are held to {} bytes (maxPayloadBytes, or "
                    + "the queue's own limit), and one the queue does not take is refused when sent; check the endpoint",
                    shownUrl(url), IncomingMessages.answered(text), otherwise);
            return otherwise;
        }
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    /** {@code text} as a whole number, else {@code otherwise}. */
    private static long parseOr(String text, long otherwise) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private @Nullable String deadLetterUrl(String url, @Nullable String redrivePolicy) {
        if (redrivePolicy != null) {
            warnOnLowMaxReceiveCount(url, redrivePolicy);
        }
        if (settings.deadLetter() == DeadLetterPolicy.DISCARD) {
            log.warn("SQS queue {} (jobq queue '{}') has deadLetter: discard: dead jobs are deleted, each with a WARN "
                    + "line and a Dead event", shownUrl(url), shownName);
            return null;
        }
        if (settings.deadLetterQueueUrl() != null) {
            return settings.deadLetterQueueUrl().toString();
        }
        if (redrivePolicy != null) {
            return redriveTarget(redrivePolicy);
        }
        throw refuse("deadLetterQueueUrl", "SQS queue " + shownUrl(url) + " has no dead-letter queue: set "
                + "deadLetterQueueUrl, or give the queue a redrive policy (docs/sqs.md), so that dead jobs are "
                + "kept; or set deadLetter: discard to delete them (development only)");
    }

    private void requireSameKind(String url, boolean fifo, String deadLetterUrl,
                                 Map<QueueAttributeName, String> deadLetterAttributes) {
        boolean deadLetterFifo = Boolean.parseBoolean(deadLetterAttributes.get(QueueAttributeName.FIFO_QUEUE));
        if (deadLetterFifo != fifo) {
            String kind = fifo ? "a FIFO queue (its name ends in .fifo)" : "a standard queue (its name does not end in "
                    + ".fifo)";
            throw refuse("deadLetterQueueUrl", "dead-letter queue " + shownUrl(deadLetterUrl) + " is "
                    + (deadLetterFifo ? "FIFO" : "standard") + " but queue " + shownUrl(url) + " is "
                    + (fifo ? "FIFO" : "standard") + "; SQS requires both to be of one kind: "
                    + (settings.deadLetterQueueUrl() != null ? "set deadLetterQueueUrl to " + kind
                            : "point the queue's redrive policy at " + kind + ", or set deadLetterQueueUrl to one"));
        }
    }

    private String redriveTarget(String redrivePolicy) {
        Matcher m = TARGET_ARN.matcher(redrivePolicy);
        if (!m.find()) {
            throw refuse("deadLetterQueueUrl", "the queue's RedrivePolicy names no deadLetterTargetArn ("
                    + IncomingMessages.answered(redrivePolicy) + "); set deadLetterQueueUrl");
        }
        String[] arn = m.group(1).split(":");
        if (arn.length < 6) {
            throw refuse("deadLetterQueueUrl", "the queue's RedrivePolicy names " + IncomingMessages.answered(m.group(1))
                    + ", which is not an SQS queue ARN; set deadLetterQueueUrl");
        }
        try {
            return sqs.getQueueUrl(r -> r.queueName(arn[5]).queueOwnerAWSAccountId(arn[4])).queueUrl();
        } catch (QueueDoesNotExistException e) {
            throw refuse("deadLetterQueueUrl", "the queue's redrive policy names dead-letter queue "
                    + UntrustedText.escape(m.group(1), IncomingMessages.SHOWN_CHARS) + ", which does not exist; create it "
                    + "(docs/sqs.md), point the redrive policy at an existing queue, or set deadLetterQueueUrl");
        } catch (SdkException e) {
            throw unreachable("looking up the dead-letter queue "
                    + UntrustedText.escape(m.group(1), IncomingMessages.SHOWN_CHARS) + " of the redrive policy", e);
        }
    }

    /**
     * A high-throughput FIFO queue deduplicates within each message group, and without groupId each job type has its
     * own: a key is then one per queue (docs/semantics.md) for this process's enqueues only, which its own claims
     * check; SQS stores another process's job of another type with the key.
     */
    private void warnOnDeduplicationPerGroup(String url, @Nullable String scope) {
        if (!"messageGroup".equals(scope) || settings.groupId() != null) {
            return;
        }
        String groupKey = key("groupId");
        log.warn("SQS queue {} deduplicates within each message group (DeduplicationScope messageGroup), and jobq puts "
                + "each job type in a message group of its own ({} is not set): a deduplicationKey is held across job "
                + "types by this process only, and SQS stores a job of another type with the key that another process, "
                + "or this one restarted, enqueues within SQS's 5 minutes; put the job type in the key, set the queue's "
                + "DeduplicationScope to queue, or set {} to put every job in one message group (docs/sqs.md)",
                shownUrl(url), groupKey, groupKey);
    }

    /**
     * A deadLetterQueueUrl other than the redrive policy's target splits dead jobs between two queues: jobq copies its
     * own there, SQS moves to the policy's those jobq never settles, without their error, and the stats count only the
     * first. Not refused: a queue may have a reason for it; said once, at start-up, with the fixes.
     */
    private void warnOnOtherRedriveTarget(String url, @Nullable String redrivePolicy, String deadLetterUrl,
                                          @Nullable String deadLetterQueueArn) {
        Matcher target = redrivePolicy == null ? null : TARGET_ARN.matcher(redrivePolicy);
        if (settings.deadLetterQueueUrl() == null || deadLetterQueueArn == null || target == null || !target.find()
                || target.group(1).equals(deadLetterQueueArn)) {
            return;
        }
        String key = deadLetterKey();
        log.warn("SQS queue {} has a redrive policy that moves messages to {}, but {} is {}: jobq copies dead jobs "
                + "there, while SQS moves to the policy's queue the messages jobq never settles (a job whose worker is "
                + "lost in its last attempt), without their error and with no Dead event, and jobq's stats count only "
                + "the dead jobs in {}; point the redrive policy at {}, or remove {} to use the policy's queue "
                + "(docs/sqs.md)", shownUrl(url),
                UntrustedText.escape(target.group(1), IncomingMessages.SHOWN_CHARS), key,
                shownUrl(deadLetterUrl), key,
                UntrustedText.escape(deadLetterQueueArn, IncomingMessages.SHOWN_CHARS), key);
    }

    /**
     * A deadLetterQueueUrl with no redrive policy keeps the dead jobs jobq settles, but nothing moves a message jobq
     * never settles (its worker lost on every receive): it is received without end. And SQS redrives only from a
     * queue some redrive policy names. Not refused, as jobq's own dead jobs are kept; said once, at start-up, with the
     * policy to set.
     */
    private void warnOnNoRedrivePolicy(String url, @Nullable String redrivePolicy, String deadLetterUrl,
                                       @Nullable String deadLetterQueueArn) {
        if (settings.deadLetterQueueUrl() == null || (redrivePolicy != null && !redrivePolicy.isBlank())) {
            return;
        }
        String maskedDeadLetterUrl = shownUrl(deadLetterUrl);
        log.warn("SQS queue {} has no redrive policy, though {} is {}: jobq copies there the jobs it settles as dead, "
                + "but SQS never moves a message jobq does not settle, so a job whose worker is lost on every receive "
                + "(a crash, an out-of-memory kill) is received again without end, and SQS's redrive cannot move jobs "
                + "back from {}, as it redrives only from a queue some redrive policy names; give the queue the "
                + "redrive policy {\"deadLetterTargetArn\":\"{}\",\"maxReceiveCount\":\"10\"} (maxReceiveCount "
                + "above the largest maxAttempts you use: docs/sqs.md)", shownUrl(url), deadLetterKey(),
                maskedDeadLetterUrl, maskedDeadLetterUrl,
                deadLetterQueueArn != null ? UntrustedText.escape(deadLetterQueueArn, IncomingMessages.SHOWN_CHARS)
                        : "<the QueueArn of " + maskedDeadLetterUrl + ">");
    }

    private void warnOnLowMaxReceiveCount(String url, String redrivePolicy) {
        // Read as the enqueue check reads it: a count too big for an int limits nothing jobq can count.
        int maxReceives = maxReceives(redrivePolicy);
        if (maxReceives <= JobOptions.DEFAULT_MAX_ATTEMPTS) {
            // Not "before jobq's last attempt": a job with more attempts than the count is refused at enqueue. At
            // the count itself, a worker lost in the last attempt leaves the job to SQS's move.
            log.warn("SQS queue {} moves a message to its dead-letter queue after {} receives (redrive policy "
                    + "maxReceiveCount): a job on it may have at most {} attempts (jobq's default is {}), one with "
                    + "more is refused at enqueue, and a job whose last attempt is cut short (its worker lost) is "
                    + "moved there by SQS without its error and with no Dead event; set maxReceiveCount above the "
                    + "largest maxAttempts you use (10 is a good default: docs/sqs.md)",
                    shownUrl(url), maxReceives, maxReceives, JobOptions.DEFAULT_MAX_ATTEMPTS);
        }
    }

    /**
     * The redrive policy's {@code maxReceiveCount}: SQS moves a message to the DLQ on the receive after that
     * many, whatever jobq's attempts. Unlimited without a policy, or with one this does not read.
     */
    private static int maxReceives(@Nullable String redrivePolicy) {
        Matcher m = redrivePolicy == null ? null : MAX_RECEIVE_COUNT.matcher(redrivePolicy);
        if (m == null || !m.find()) {
            return Capabilities.UNLIMITED_ATTEMPTS;
        }
        try {
            return Math.max(1, Integer.parseInt(m.group(1)));
        } catch (NumberFormatException e) {
            return Capabilities.UNLIMITED_ATTEMPTS;
        }
    }

    private Map<QueueAttributeName, String> attributes(String url, String what) {
        try {
            return sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(List.of(QueueAttributeName.ALL)))
                    .attributes();
        } catch (QueueDoesNotExistException e) {
            throw refuse(what.equals("queue") ? "queueUrl" : "deadLetterQueueUrl", "SQS " + what + " " + shownUrl(url)
                    + " does not exist; check the URL and region, or create it (docs/sqs.md)");
        } catch (SdkException e) {
            throw unreachable("reading the attributes of " + what + " " + shownUrl(url), e);
        }
    }

    private ConfigException refuse(String key, String problem) {
        return new ConfigException(section.source(), List.of(key(key) + ": " + Secrets.maskUrl(problem)));
    }

    /** The section's key as errors show it; its path holds the queue name, escaped as {@link #shownName} is. */
    private String key(String key) {
        return section.path().isEmpty() ? key : UntrustedText.escape(section.path()) + "." + key;
    }

    /**
     * Whether {@code e} or one of its first {@link LoggableThrowables#MAX_LOGGED_CAUSES} causes is the HTTP client's
     * connect timeout; read to where the chain comes back (a loop was walked for ever, and the build never returned).
     */
    static boolean connectTimedOut(Throwable e) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable cause = e;
                cause != null && seen.size() <= LoggableThrowables.MAX_LOGGED_CAUSES && seen.add(cause);
                cause = LoggableThrowables.causeOf(cause)) {
            if (cause instanceof ConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A queue's URL (or the endpoint) as an error or a WARN repeats it: masked, escaped, cut
     * ({@link SqsQueue#shownUrl}).
     */
    private static String shownUrl(String url) {
        return SqsQueue.shownUrl(url);
    }

    /**
     * The region as an error repeats it, cut as {@link SqsSettings}' problems cut it: beside an endpoint, one of any
     * length is taken.
     */
    private String shownRegion() {
        return Settings.shownUnquoted(settings.region(), "characters");
    }

    /** Where the SDK connects: the endpoint override, or the region's SQS endpoint. */
    private String endpoint() {
        return settings.endpoint() != null ? shownUrl(settings.endpoint().toString())
                : "SQS in region " + shownRegion();
    }

    private JobQueueException unreachable(String what, SdkException e) {
        String failure = e instanceof ApiCallAttemptTimeoutException
                ? QueueCalls.notAnswered(settings.requestTimeout(), key("requestTimeout"))
                : connectTimedOut(e) ? "could not connect to " + endpoint() + " within "
                        + DurationFormat.format(SqsConnection.connectTimeout(settings.requestTimeout())) + ", each of the SDK's attempts: nothing "
                        + "answers there, or a firewall drops the connection"
                // a server's or a proxy's words: masked, and on one line of at most 1,000 characters, as a log line
                : LoggableThrowables.oneLine(Secrets.maskUrl(String.valueOf(e.getMessage())));
        return new JobQueueException("jobq queue '" + shownName + "': " + what + " failed: " + failure
                + " (check region " + shownRegion() + (settings.endpoint() == null ? "" : ", endpoint "
                + endpoint()) + ", " + (settings.keys() == null ? "the credentials of the AWS SDK's default "
                + "chain" : "the accessKeyId and secretAccessKey of this section") + " and the IAM actions in docs/sqs.md)",
                e);
    }
}
