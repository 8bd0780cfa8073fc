package dev.jobq.internal.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobRejectedException;
import dev.jobq.internal.worker.QueueBinding;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.JobSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The enqueue path: resolves options and the queue, checks them against what the queue's provider
 * can do, and routes the job to the provider, or to the scheduler when its delay is beyond the
 * provider's reach. Also the {@link JobSink} the scheduler hands due jobs to.
 */
final class Enqueuer implements JobSink {

    private final Map<String, QueueBinding> queues;
    private final Map<String, String> providerTypes;
    private final EventBus events;
    private final ObjectMapper mapper;
    private final InstantSource clock;
    private final JobIds ids;
    /** A null payload as the mapper writes it, written once: jobs without a payload skip the mapper. */
    private final String nullPayloadJson;
    private volatile @Nullable JobScheduler scheduler;

    Enqueuer(Map<String, QueueBinding> queues, Map<String, String> providerTypes, EventBus events, ObjectMapper mapper,
             InstantSource clock) {
        this.queues = queues;
        this.providerTypes = providerTypes;
        this.events = events;
        this.mapper = mapper;
        this.clock = clock;
        this.ids = new JobIds(clock);
        this.nullPayloadJson = JobQueueRuntime.toJson(mapper, "(none)", null);
    }

    void useScheduler(@Nullable JobScheduler scheduler) {
        this.scheduler = scheduler;
    }

    String enqueue(String type, @Nullable Object payload, EnqueueOptions options) {
        requireType(type);
        JobOptions jobOptions = options.resolve(JobOptions.defaults());
        QueueBinding queue = binding(jobOptions.queue());
        checkSupported(queue, jobOptions);
        String payloadJson = payload == null ? nullPayloadJson : JobQueueRuntime.toJson(mapper, type, payload);
        checkSize(queue, type, payloadJson);

        Instant now = clock.instant();
        Instant runAt = options.scheduledFor() != null ? options.scheduledFor()
                : options.delay() != null ? now.plus(options.delay()) : now;
        Duration delay = runAt.isAfter(now) ? Duration.between(now, runAt) : Duration.ZERO;
        Instant scheduledFor = delay.isZero() && options.scheduledFor() == null ? null : runAt;
        var envelope = new JobEnvelope(JobEnvelope.CURRENT_VERSION, ids.next(), type, payloadJson, jobOptions, 0, now,
                scheduledFor, null);

        Duration maxDelay = queue.provider().capabilities().maxDelay();
        // A job for an instant is held in the scheduler's database whenever there is one, so it
        // survives restarts; a delay only when it is beyond what the provider can hold.
        boolean atInstant = options.scheduledFor() != null && scheduler != null && delay.isPositive();
        if (atInstant || delay.compareTo(maxDelay) > 0) {
            return viaScheduler(queue, envelope, runAt, delay, maxDelay);
        }
        return toProvider(queue, envelope, delay, runAt);
    }

    /** A due job from the scheduler: straight to its queue's provider. */
    @Override
    public EnqueueResult submit(JobEnvelope envelope) {
        QueueBinding queue = binding(envelope.queue());
        EnqueueResult result = queue.provider().enqueue(envelope, Duration.ZERO);
        publishOutcome(queue, envelope, result, clock.instant(), false);
        return result;
    }

    /** A job for the scheduler built with this queue's ids and defaults, after the same checks as enqueue. */
    JobEnvelope envelopeForScheduler(String type, @Nullable Object payload, Instant at, EnqueueOptions options) {
        requireType(type);
        if (options.delay() != null || options.scheduledFor() != null) {
            throw new IllegalArgumentException("schedule(...) takes its time from its 'at' argument; options must not "
                    + "set delay or scheduledFor");
        }
        JobOptions jobOptions = options.resolve(JobOptions.defaults());
        QueueBinding queue = binding(jobOptions.queue());
        checkSupported(queue, jobOptions);
        String payloadJson = payload == null ? nullPayloadJson : JobQueueRuntime.toJson(mapper, type, payload);
        checkSize(queue, type, payloadJson);
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, ids.next(), type, payloadJson, jobOptions, 0,
                clock.instant(), at, null);
    }

    QueueBinding binding(String name) {
        QueueBinding queue = queues.get(name);
        if (queue == null) {
            throw new JobRejectedException("unknown queue '" + name + "' (configured: " + String.join(", ",
                    queues.keySet()) + "); add it under 'queues:' in jobq.yaml or with JobQueue.builder().queue(...)");
        }
        return queue;
    }

    String providerType(String queue) {
        return providerTypes.getOrDefault(queue, "?");
    }

    private String viaScheduler(QueueBinding queue, JobEnvelope envelope, Instant runAt, Duration delay,
                                Duration maxDelay) {
        JobScheduler target = scheduler;
        if (target == null) {
            throw new JobRejectedException("a delay of " + DurationFormat.format(delay) + " is beyond what provider '"
                    + providerType(queue.name()) + "' of queue '" + queue.name() + "' can hold ("
                    + (maxDelay.isZero() ? "no per-message delay" : "at most " + DurationFormat.format(maxDelay))
                    + "); enable the scheduler (a 'scheduler:' section in jobq.yaml with dev.jobq:scheduler-jdbc on "
                    + "the classpath) so that longer delays and scheduledFor are held in its database");
        }
        String id = target.schedule(envelope, runAt);
        publishScheduled(envelope, id, runAt);
        return id;
    }

    void publishScheduled(JobEnvelope envelope, String id, Instant runAt) {
        events.publish(new JobEvent.Enqueued(clock.instant(), envelope.queue(), id, envelope.type(), runAt, true));
    }

    private String toProvider(QueueBinding queue, JobEnvelope envelope, Duration delay, Instant runAt) {
        EnqueueResult result = queue.provider().enqueue(envelope, delay);
        publishOutcome(queue, envelope, result, runAt, false);
        return result.jobId();
    }

    private void publishOutcome(QueueBinding queue, JobEnvelope envelope, EnqueueResult result, Instant runAt,
                                boolean viaScheduler) {
        if (!events.hasListeners()) {
            return;
        }
        Instant now = clock.instant();
        if (result.duplicate()) {
            String key = envelope.options().deduplicationKey();
            events.publish(new JobEvent.Deduplicated(now, queue.name(), result.jobId(), envelope.type(),
                    key != null ? key : envelope.jobId()));
        } else {
            events.publish(new JobEvent.Enqueued(now, queue.name(), result.jobId(), envelope.type(), runAt, viaScheduler));
        }
    }

    private void checkSupported(QueueBinding queue, JobOptions options) {
        Capabilities capabilities = queue.provider().capabilities();
        if (options.priority() != 0 && !capabilities.supports(Feature.PRIORITY)) {
            throw new JobRejectedException("priority " + options.priority() + " is not supported by provider '"
                    + providerType(queue.name()) + "' of queue '" + queue.name() + "'; to run some jobs first, give "
                    + "them a named queue listed first in worker.queues (e.g. queues: [critical, default]) and "
                    + "enqueue with EnqueueOptions.queue(\"critical\")");
        }
        if (options.deduplicationKey() != null && !capabilities.supports(Feature.DEDUPLICATION)) {
            throw new JobRejectedException("deduplicationKey '" + options.deduplicationKey() + "' is not supported by "
                    + "provider '" + providerType(queue.name()) + "' of queue '" + queue.name() + "'"
                    + ("sqs".equals(providerType(queue.name()))
                            ? "; only FIFO queues deduplicate (MessageDeduplicationId): use a .fifo queue"
                            : "; leave it unset or use a provider that deduplicates"));
        }
    }

    private void checkSize(QueueBinding queue, String type, String payloadJson) {
        int limit = queue.provider().capabilities().maxPayloadBytes();
        // Cheap bound first: a UTF-8 byte is at most 3 per char for the BMP, 1 for ASCII.
        if ((long) payloadJson.length() * 3 <= limit) {
            return;
        }
        int bytes = payloadJson.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limit) {
            throw new JobRejectedException("payload of job type '" + type + "' is " + bytes + " bytes, over the "
                    + limit + "-byte limit of provider '" + providerType(queue.name()) + "' of queue '" + queue.name()
                    + "'; store large data elsewhere (a database, S3) and put its id in the payload, or raise "
                    + "maxPayloadBytes where the provider allows");
        }
    }

    private static void requireType(String type) {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("job type must not be blank");
        }
    }
}
