package dev.jobq.sqs;

import dev.jobq.ConfigException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.Settings;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code sqs} provider: jobs on an Amazon SQS queue, standard or FIFO (docs/sqs.md). Settings:
 *
 * <pre>{@code
 * provider:
 *   type: sqs
 *   region: us-east-1                    # required
 *   queueUrl: ${SQS_QUEUE_URL}           # or queueName: jobs (with createIfMissing: true for development)
 *   deadLetterQueueUrl: ${SQS_DLQ_URL}   # optional when the queue has a redrive policy
 *   deadLetter: move                     # move (default) | discard: delete dead jobs (development)
 *   visibilityTimeout: 60s               # the lease of a delivery; default: the queue's own
 *   waitTime: 20s                        # the longest one long poll waits (0 to 20s)
 *   endpoint: http://127.0.0.1:4566      # LocalStack / ElasticMQ; absent for AWS
 *   maxPayloadBytes: 1MiB                # 256KiB to 1MiB, as the queue's MaximumMessageSize
 *   groupId: orders                      # FIFO only: one message group; default: one per job type
 *   accessKeyId: test                    # static keys for LocalStack / ElasticMQ only; absent for AWS,
 *   secretAccessKey: test                #   where the AWS SDK's default credentials chain is used
 *   requestTimeout: 10s                  # the longest one attempt of a request waits for an answer
 * }</pre>
 *
 * <p>{@link #validate} checks every key without I/O. {@link #create} then connects: it finds (or
 * creates) the queue and refuses to start when dead jobs would have nowhere to go: no
 * {@code deadLetterQueueUrl}, no redrive policy on the queue, and not {@code deadLetter: discard}.
 *
 * <p>Delivery contract: at least once; a lease is the visibility timeout, extended by the worker's
 * heartbeats; the attempt of a delivery is the envelope's attempts plus SQS's receive count, so a
 * crashed worker's delivery counts; a release on a standard queue sends a fresh copy and deletes the
 * delivery, so it does not count, and on a FIFO queue makes the delivery visible again, so it keeps
 * its place in its group and counts; a retry hides the message for its backoff (at most 12 h from the receive); a dead
 * job is copied to the dead-letter queue with its error before it is deleted. A message that is not
 * a job envelope is dead-lettered at once, with a log line and a {@code JobEvent.Dead} sent to the
 * queue's listeners through {@link ProviderContext#events()}. {@code close()} wakes blocked receivers
 * at once and returns when their long polls have ended (at most {@code waitTime}; a poll SQS does not
 * answer is given up 10 s after its wait, with a WARN, and a message SQS still hands it comes back after
 * its visibility timeout, counted); a job such a poll still gets is released as above (not counted on a
 * standard queue).
 *
 * <p>Providers are thread-safe.
 */
public final class SqsProviderFactory implements QueueProviderFactory {

    public static final String TYPE = "sqs";
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = SqsSettings.DEFAULT_MAX_PAYLOAD_BYTES;
    public static final Duration DEFAULT_WAIT_TIME = SqsSettings.DEFAULT_WAIT_TIME;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = SqsSettings.DEFAULT_REQUEST_TIMEOUT;
    /** The longest delay a standard queue holds; longer ones go through the scheduler. */
    public static final Duration MAX_DELAY = SqsQueueProvider.MAX_DELAY;

    /**
     * The SQS queues (by ARN) that this factory's open providers use, for their jobs or their dead letters, and
     * what each is to whom. A JobQueue loads its factories afresh when it is built, so these are its own queues:
     * two of its names on one SQS queue would each receive the other's jobs, and a dead-letter queue that is
     * another name's queue would have every dead job run again. Two JobQueues (two processes) on one queue are
     * the usual way to scale and are not looked at. A dead-letter queue shared by several names has one entry per
     * name, the earliest first, so that the first to close does not give it up while the others still use it.
     */
    private final Map<String, List<String>> claimed = new HashMap<>();
    private final ProviderMaker maker;

    /** Makes the provider of a queue found and claimed: {@link SqsQueueProvider}'s constructor. */
    interface ProviderMaker {
        SqsQueueProvider make(SqsConnection connection, SqsQueue queue, SqsSettings settings, ProviderContext context);
    }

    /** For {@link java.util.ServiceLoader}. */
    public SqsProviderFactory() {
        this(SqsQueueProvider::new);
    }

    /** With another maker of providers; for tests. */
    SqsProviderFactory(ProviderMaker maker) {
        this.maker = maker;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Settings settings) {
        SqsSettings.read(settings);
    }

    @Override
    public QueueProvider create(ProviderContext context) {
        Settings section = context.settings();
        SqsSettings settings = SqsSettings.read(section);
        section.throwIfInvalid();
        var connection = new SqsConnection(settings);
        try {
            var setup = new QueueSetup(connection.client(), settings, section, context.queueName());
            SqsQueue queue = setup.resolve();
            Runnable release = claim(setup, queue, section);
            try {
                var provider = maker.make(connection, queue, settings, context);
                provider.onClose(release);
                return provider;
            } catch (RuntimeException | Error e) {
                // Kept, the claim made this factory refuse the queue to every later provider, as a second name on it.
                release.run();
                throw e;
            }
        } catch (RuntimeException | Error e) {
            // An Error too (a class failing to link): the clients' connections and threads were left open.
            connection.close();
            throw e;
        }
    }

    /**
     * Claims the queue's SQS queue and its dead-letter queue for its name, refusing one that another open provider
     * of this factory claimed; returns what gives them up.
     */
    private Runnable claim(QueueSetup setup, SqsQueue queue, Settings section) {
        String name = "'" + UntrustedText.escape(queue.name()) + "'";
        Optional<String> deadLetterArn = setup.deadLetterArn();
        synchronized (claimed) {
            String holder = holder(setup.arn());
            if (holder != null) {
                throw refuse(section, setup.queueKey(), queue.shownUrl(), holder, name);
            }
            if (deadLetterArn.isPresent() && (holder = holder(deadLetterArn.get())) != null
                    && holder.startsWith("the queue of ")) {
                throw refuse(section, setup.deadLetterKey(), queue.shownDeadLetterUrl(), holder, name);
            }
            claimed.computeIfAbsent(setup.arn(), arn -> new ArrayList<>()).add("the queue of " + name);
            // A dead-letter queue shared by several queues is fine (SQS's redrive policies often share one).
            deadLetterArn.ifPresent(arn -> claimed.computeIfAbsent(arn, a -> new ArrayList<>())
                    .add("the dead-letter queue of " + name));
        }
        return () -> {
            synchronized (claimed) {
                unclaim(setup.arn(), "the queue of " + name);
                deadLetterArn.ifPresent(arn -> unclaim(arn, "the dead-letter queue of " + name));
            }
        };
    }

    /** What the SQS queue {@code arn} is to the earliest open provider that claimed it; null when none did. */
    private @Nullable String holder(String arn) {
        List<String> holders = claimed.get(arn);
        return holders == null ? null : holders.getFirst();
    }

    private void unclaim(String arn, String what) {
        List<String> holders = claimed.get(arn);
        if (holders != null && holders.remove(what) && holders.isEmpty()) {
            claimed.remove(arn);
        }
    }

    /** {@code shownUrl}: the SQS queue's URL as {@link SqsQueue#shownUrl(String)} shows it (masked, escaped, cut). */
    private static ConfigException refuse(Settings section, String key, @Nullable String shownUrl, String holder,
                                          String name) {
        return new ConfigException(section.source(), List.of(key + ": SQS queue " + shownUrl + " is already " + holder
                + " in this JobQueue; under two names each name's worker would receive the other's jobs (and run "
                + "dead jobs again); give " + name + " an SQS queue of its own, or send its jobs to the other name"));
    }
}
