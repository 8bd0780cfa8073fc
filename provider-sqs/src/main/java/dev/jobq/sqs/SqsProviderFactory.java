package dev.jobq.sqs;

import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.Settings;
import java.time.Duration;

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
 * at once and returns when their long polls have ended (at most {@code waitTime}); a job such a poll
 * still gets is released, not counted.
 *
 * <p>Providers are thread-safe.
 */
public final class SqsProviderFactory implements QueueProviderFactory {

    public static final String TYPE = "sqs";
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = SqsSettings.DEFAULT_MAX_PAYLOAD_BYTES;
    public static final Duration DEFAULT_WAIT_TIME = SqsSettings.DEFAULT_WAIT_TIME;
    /** The longest delay a standard queue holds; longer ones go through the scheduler. */
    public static final Duration MAX_DELAY = SqsQueueProvider.MAX_DELAY;

    /** For {@link java.util.ServiceLoader}. */
    public SqsProviderFactory() {
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
            SqsQueue queue = new QueueSetup(connection.client(), settings, section, context.queueName()).resolve();
            return new SqsQueueProvider(connection, queue, settings, context);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }
}
