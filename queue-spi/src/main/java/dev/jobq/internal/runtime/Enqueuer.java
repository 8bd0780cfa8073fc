package dev.jobq.internal.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.BulkEnqueueException;
import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.internal.worker.FailurePolicy;
import dev.jobq.internal.worker.QueueBinding;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.UntrustedText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The enqueue path: resolves options and the queue, checks them against what the queue's provider
 * can do, and routes the job to the provider, or to the scheduler when its delay is beyond the
 * provider's reach. Also the {@link JobSink} the scheduler hands due jobs to.
 */
final class Enqueuer implements JobSink {

    /**
     * The longest job type, in UTF-16 units: what the scheduler's column holds. A job for now is held to it
     * too, so that a type is taken or refused alike whether its job runs now, later or on a schedule.
     */
    static final int MAX_TYPE = 255;
    /** How much of a job type a refusal repeats: the start of a too long type, of a blank one. */
    private static final int TYPE_PREVIEW_CHARS = 60;
    /** How much of a deduplication key a refusal repeats: as much as of a trace id. */
    private static final int KEY_PREVIEW_CHARS = 80;
    /** Failures of one enqueueAll call named in its exception's message, and kept in it, at most. */
    private static final int FAILURES_NAMED = 10;
    /**
     * The room provider-sqs keeps off its message limit for a dead-letter copy's attributes (its payload limit's): its
     * OutgoingMessage.DEAD_LETTER_RESERVE, repeated as this module cannot see provider-sqs; SqsEnqueueRulesTest pins
     * both.
     */
    private static final int SQS_DEAD_LETTER_RESERVE = 4 * 1024;
    /** The largest message SQS takes, 1 MiB. */
    private static final int SQS_MAX_MESSAGE_BYTES = 1024 * 1024;

    private final Map<String, QueueBinding> queues;
    private final Map<String, String> providerTypes;
    private final HandlerRegistry handlers;
    private final EventBus events;
    private final ObjectMapper mapper;
    private final InstantSource clock;
    private final @Nullable Path configFile;
    private final JobIds ids;
    /** A null payload as the mapper writes it, written once: jobs without a payload skip the mapper. */
    private final String nullPayloadJson;
    private volatile @Nullable JobScheduler scheduler;
    /** Told the queue's name of each hand-off from the scheduler its queue rejected: the metrics count them. */
    private final List<Consumer<String>> rejectedHandOffs = new CopyOnWriteArrayList<>();
    /** The scheduler's threads handing a job on now: close() from a listener on one must not wait for it. */
    private final Set<Thread> handingOff = ConcurrentHashMap.newKeySet();
    /** Threads announcing an enqueue's outcome (see {@link #announcesOn}). */
    private final Set<Thread> announcing = ConcurrentHashMap.newKeySet();

    /**
     * @param configFile the config file read, named where an unknown queue or the scheduler is to be added (it said
     *                   jobq.yaml whatever file was read); null when none was
     */
    Enqueuer(Map<String, QueueBinding> queues, Map<String, String> providerTypes, HandlerRegistry handlers,
             EventBus events, ObjectMapper mapper, InstantSource clock, @Nullable Path configFile) {
        this.queues = queues;
        this.configFile = configFile;
        this.providerTypes = providerTypes;
        this.handlers = handlers;
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
        JobOptions jobOptions = withTypeDefaults(type, options).resolve(JobOptions.defaults());
        QueueBinding queue = binding(jobOptions.queue());
        // The check called here, not through the overload enqueueAll and schedule use: with the overload between them
        // B1's drain and enqueue ran about 4 % slower (docs/benchmarks.md, Phase 45).
        try {
            checkSupported(queue, jobOptions);
        } catch (JobRejectedException refused) {
            throw namingTypeDefaults(refused, queue, type, options, jobOptions);
        }
        String payloadJson = payloadJson(queue, type, payload);
        Timing timing = timing(options);
        return send(queue, envelope(type, payloadJson, jobOptions, timing, options.traceId()), timing);
    }

    /**
     * Enqueues one job per payload with the same options. Every payload is written and checked
     * before any job is sent, so a bad one rejects the call with nothing enqueued. Jobs for the
     * provider go to it in one {@link QueueProvider#enqueueAll} call (SQS sends them in batches);
     * jobs for the scheduler go one after another, in order, and on a queue that keeps an order none after a
     * refused one.
     */
    List<String> enqueueAll(String type, List<?> payloads, EnqueueOptions options) {
        requireType(type);
        JobOptions jobOptions = withTypeDefaults(type, options).resolve(JobOptions.defaults());
        int count = payloads.size();
        if (jobOptions.deduplicationKey() != null && count > 1) {
            throw new JobRejectedException("deduplicationKey " + shownKey(jobOptions.deduplicationKey())
                    + " would be given to all " + count + " jobs of type '" + shownType(type) + "', so all but one "
                    + "would be dropped as duplicates; enqueue jobs with deduplication keys one by one, each with its "
                    + "own key");
        }
        QueueBinding queue = binding(jobOptions.queue());
        checkSupported(queue, type, options, jobOptions);
        List<String> payloadJsons = new ArrayList<>(count);
        // Iterated, not read by index: a LinkedList's get(i) walks from its start, which made a call quadratic.
        for (Object payload : payloads) {
            try {
                payloadJsons.add(payloadJson(queue, type, payload));
            } catch (JobRejectedException e) {
                int index = payloadJsons.size();
                throw new JobRejectedException("payload at index " + index + " (of " + count + "): " + e.getMessage()
                        + "; none of the " + count + " jobs was enqueued", e);
            }
        }
        if (payloadJsons.size() != count) {
            // Another thread changed the list between size() and the read: its jobs would not match the ids returned.
            throw new ConcurrentModificationException("enqueueAll counted " + count + " payloads and then read "
                    + payloadJsons.size() + ": the list changed while it was read; none of the jobs was enqueued; pass "
                    + "a list no other thread changes during the call, or a copy (List.copyOf)");
        }
        Timing timing = timing(options);
        if (count > 0 && heldByScheduler(queue, timing) && scheduler == null) {
            // The same for every job: refused once, as enqueue refuses it, not as count failed sends.
            throw new JobRejectedException(noScheduler(queue, timing) + "; none of the " + count
                    + " jobs was enqueued");
        }
        List<JobEnvelope> envelopes = new ArrayList<>(count);
        if (count > 0 && heldByScheduler(queue, timing)) {
            // All due at one instant, and the scheduler hands such jobs on in the order of their ids, whose bits after
            // the millisecond are random: ascending ids in the payloads' order reach the queue in that order, as a
            // FIFO group needs (they reached it in any order).
            String[] ascending = new String[count];
            Arrays.setAll(ascending, i -> ids.next());
            Arrays.sort(ascending);
            for (int i = 0; i < count; i++) {
                envelopes.add(envelope(ascending[i], type, payloadJsons.get(i), jobOptions, timing, options.traceId()));
            }
        } else {
            for (String payloadJson : payloadJsons) {
                envelopes.add(envelope(type, payloadJson, jobOptions, timing, options.traceId()));
            }
        }
        String[] jobIds = new String[count];
        RuntimeException[] failures = new RuntimeException[count];
        // A job with a key (only ever one) goes the way enqueue sends it, through the check against the other store.
        if (count > 0 && !heldByScheduler(queue, timing) && jobOptions.deduplicationKey() == null) {
            List<EnqueueOutcome> outcomes = toProvider(queue, envelopes, timing);
            for (int i = 0; i < count; i++) {
                EnqueueOutcome outcome = outcomes.get(i);
                if (outcome.result() != null) {
                    jobIds[i] = outcome.result().jobId();
                } else {
                    failures[i] = outcome.failure();
                }
            }
        } else {
            boolean toScheduler = count > 0 && heldByScheduler(queue, timing);
            // On a queue that keeps an order (SQS FIFO), the jobs after a refused one are not stored, as the provider's
            // enqueueAll does not send them: held, they would reach the group ahead of it once it is enqueued again.
            boolean ordered = toScheduler && queue.provider().capabilities().supports(Feature.ORDERED);
            int stoppedAt = -1;
            for (int i = 0; i < count; i++) {
                if (stoppedAt >= 0) {
                    failures[i] = new JobQueueException("payload at index " + i + " was not enqueued: the one at "
                            + "index " + stoppedAt + " before it was not, and queue '" + queue.shownName()
                            + "' keeps an order, in which this one would have run ahead of it; enqueue them again, "
                            + "in order");
                    continue;
                }
                try {
                    jobIds[i] = send(queue, envelopes.get(i), timing);
                } catch (IllegalArgumentException refused) {
                    // The scheduler refuses what all these jobs share (their instant, type or queue), before storing:
                    // refused at the first, the call is, as enqueue is, with nothing enqueued; not job by job, in a
                    // BulkEnqueueException saying to enqueue them again, which would be refused again.
                    if (toScheduler && i == 0) {
                        throw refused;
                    }
                    failures[i] = refused;
                } catch (RuntimeException e) {
                    failures[i] = e;
                }
                if (ordered && failures[i] != null) {
                    stoppedAt = i;
                }
            }
        }
        throwIfAnyFailed(type, jobIds, failures);
        return List.of(jobIds);
    }

    /** Hands jobs to the provider in one call and announces those it took; one outcome per job, in order. */
    private List<EnqueueOutcome> toProvider(QueueBinding queue, List<JobEnvelope> envelopes, Timing timing) {
        List<EnqueueOutcome> outcomes;
        try {
            outcomes = queue.provider().enqueueAll(envelopes, timing.delay());
        } catch (RuntimeException e) {
            var unknown = new OutcomeUnknown("provider '" + providerType(queue.name()) + "' of queue '"
                    + queue.shownName() + "' failed to enqueue " + envelopes.size() + " jobs at once: "
                    + FailurePolicy.messageLine(e) + "; whether any of them was enqueued is unknown", e);
            return Collections.nCopies(envelopes.size(), EnqueueOutcome.failed(unknown));
        }
        if (outcomes.size() != envelopes.size()) {
            var wrong = new OutcomeUnknown("provider '" + providerType(queue.name()) + "' of queue '"
                    + queue.shownName() + "' answered " + outcomes.size() + " outcomes for " + envelopes.size()
                    + " jobs; whether they were enqueued is unknown (a defect of the provider: enqueueAll answers one "
                    + "outcome per job)");
            return Collections.nCopies(envelopes.size(), EnqueueOutcome.failed(wrong));
        }
        for (int i = 0; i < outcomes.size(); i++) {
            EnqueueResult result = outcomes.get(i).result();
            if (result != null) {
                publishOutcome(queue, envelopes.get(i), result, timing.runAt(), false);
            }
        }
        return outcomes;
    }

    /** A provider's enqueueAll that failed as a whole: any, all or none of its jobs may be stored. */
    private static final class OutcomeUnknown extends JobQueueException {
        OutcomeUnknown(String message, @Nullable Throwable cause) {
            super(message, cause);
        }

        OutcomeUnknown(String message) {
            super(message);
        }
    }

    /** Throws when any job of an enqueueAll call failed: which did, which did not, the first failure as the cause. */
    private static void throwIfAnyFailed(String type, @Nullable String[] jobIds, @Nullable RuntimeException[] failures) {
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < failures.length; i++) {
            if (failures[i] != null) {
                failed.add(i);
            }
        }
        if (failed.isEmpty()) {
            return;
        }
        RuntimeException first = failures[failed.get(0)];
        int count = failures.length;
        String which = failed.stream().limit(FAILURES_NAMED).map(String::valueOf).collect(Collectors.joining(", "))
                + (failed.size() > FAILURES_NAMED ? ", …" : "");
        String message;
        if (first instanceof OutcomeUnknown) {
            // Not "none was: enqueue them again": some may be stored, and enqueueing them again would run those twice.
            message = "the " + count + " jobs of type '" + shownType(type) + "' may or may not have been enqueued "
                    + "(payloads at indexes " + which + "): the provider failed the call as a whole; enqueueing the "
                    + "payloads at failedIndexes() again may run some of them twice, unless they carry deduplication "
                    + "keys. ";
        } else {
            String others = failed.size() == count ? "none was"
                    : "the other " + (count - failed.size()) + " were, with the ids in jobIds()";
            message = failed.size() + " of " + count + " jobs of type '" + shownType(type) + "' were not enqueued "
                    + "(payloads at indexes " + which + "); " + others + ": enqueue the payloads at failedIndexes() "
                    + "again. ";
        }
        // A provider's exception is a third party's text: one line, bounded, and read even when its getMessage() throws
        // (which threw out of here, and the ids of the jobs enqueued were lost with this exception). Ours is one already.
        String firstText = first instanceof OutcomeUnknown ? first.getMessage() : FailurePolicy.messageLine(first);
        var exception = new BulkEnqueueException(message + "First failure: " + firstText, first,
                Arrays.asList(jobIds), failed);
        failed.stream().skip(1).limit(FAILURES_NAMED - 1).forEach(i -> exception.addSuppressed(failures[i]));
        throw exception;
    }

    /** When a job runs, worked out once from its options at the instant of the call. */
    private record Timing(Instant now, Instant runAt, Duration delay, @Nullable Instant scheduledFor,
                          boolean atInstant) {
    }

    private Timing timing(EnqueueOptions options) {
        Instant now = clock.instant();
        Instant runAt = options.scheduledFor() != null ? options.scheduledFor()
                : options.delay() != null ? plusDelay(now, options.delay()) : now;
        Duration delay = runAt.isAfter(now) ? Duration.between(now, runAt) : Duration.ZERO;
        Instant scheduledFor = delay.isZero() && options.scheduledFor() == null ? null : runAt;
        return new Timing(now, runAt, delay, scheduledFor, options.scheduledFor() != null && delay.isPositive());
    }

    /**
     * The last instant a job can be due, as {@code EnqueueOptions.at} takes: the envelope carries it as an ISO-8601
     * timestamp with a four-digit year.
     */
    private static final Instant LAST_DUE = Instant.parse("9999-12-31T23:59:59.999999999Z");

    static Instant plusDelay(Instant now, Duration delay) {
        Instant runAt;
        try {
            runAt = now.plus(delay);
        } catch (DateTimeException | ArithmeticException e) {
            // not "or use at(...)": at(...) refuses an instant past LAST_DUE too
            throw new IllegalArgumentException("a delay of " + DurationFormat.format(delay) + " from " + now + " is past "
                    + "the last instant Java can represent (" + Instant.MAX + "), and so past " + LAST_DUE + ", the last "
                    + "instant a job can be due; give a shorter delay", e);
        }
        if (runAt.isAfter(LAST_DUE)) {
            // as at(...) of that instant is: a delay ending in the year 10000 or later was enqueued with it
            throw new IllegalArgumentException("a delay of " + DurationFormat.format(delay) + " from " + now + " ends at "
                    + runAt + ", past " + LAST_DUE + ", the last instant a job can be due (jobs carry it as an ISO-8601 "
                    + "timestamp, which has four-digit years); give a shorter delay");
        }
        return runAt;
    }

    private JobEnvelope envelope(String type, String payloadJson, JobOptions options, Timing timing,
                                 @Nullable String traceId) {
        // Built here, not through the static envelope(id, ...) enqueueAll's ordered ids use: see enqueue's check.
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, ids.next(), type, payloadJson, options, 0, timing.now(),
                timing.scheduledFor(), traceId);
    }

    private static JobEnvelope envelope(String id, String type, String payloadJson, JobOptions options, Timing timing,
                                        @Nullable String traceId) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, type, payloadJson, options, 0, timing.now(),
                timing.scheduledFor(), traceId);
    }

    private String payloadJson(QueueBinding queue, String type, @Nullable Object payload) {
        String payloadJson = payload == null ? nullPayloadJson : JobQueueRuntime.toJson(mapper, type, payload);
        checkSize(queue, type, payloadJson);
        return payloadJson;
    }

    private String send(QueueBinding queue, JobEnvelope envelope, Timing timing) {
        if (heldByScheduler(queue, timing)) {
            return viaScheduler(queue, envelope, timing);
        }
        Optional<String> holder = scheduledHolder(queue, envelope);
        if (holder.isPresent()) {
            publishDeduplicated(queue.name(), holder.get(), envelope);
            return holder.get();
        }
        return toProvider(queue, envelope, timing.delay(), timing.runAt());
    }

    /**
     * The job the scheduler holds with this job's deduplication key, for a job bound for the provider.
     * Each store deduplicates its own jobs atomically; across the two stores this look-up is not
     * atomic with the enqueue that follows it (docs/semantics.md, Deduplication).
     */
    private Optional<String> scheduledHolder(QueueBinding queue, JobEnvelope envelope) {
        String key = envelope.options().deduplicationKey();
        JobScheduler target = scheduler;
        return key == null || target == null ? Optional.empty() : target.jobHoldingKey(queue.name(), key);
    }

    /**
     * Whether a job of this timing is held in the scheduler: a job for an instant whenever there is
     * a scheduler, so it survives restarts; a delay only when it is beyond what the provider can hold.
     */
    private boolean heldByScheduler(QueueBinding queue, Timing timing) {
        boolean atInstant = timing.atInstant() && scheduler != null;
        return atInstant || beyondProvider(queue, timing.delay());
    }

    private static boolean beyondProvider(QueueBinding queue, Duration delay) {
        return delay.compareTo(queue.provider().capabilities().maxDelay()) > 0;
    }

    /**
     * Whether a job for {@code queue} with {@code delay} (not for an instant) goes to its provider, not to the
     * scheduler; true for a queue not configured here, which {@link #binding} refuses naming it.
     */
    boolean providerHolds(String queue, Duration delay) {
        QueueBinding binding = queues.get(queue);
        return binding == null || !beyondProvider(binding, delay);
    }

    /**
     * A due job from the scheduler: to its queue's provider, after the checks an enqueue makes of its options
     * against what the provider can do now (priority, maxAttempts, timeout, deduplication), since a limit may have
     * been lowered after the job was stored: on SQS a maxAttempts over a lowered maxReceiveCount would move the job
     * to the dead-letter queue early, without its error and with no Dead event. A rejection (the queue gone from the
     * configuration, a limit of its provider lowered since the job was stored) is told to those
     * {@linkplain #onRejectedHandOff listening}: the scheduler keeps the job and tries it again, and without a count a
     * rejection is seen only in one WARN line of the process that fired it.
     */
    @Override
    public EnqueueResult submit(JobEnvelope envelope) {
        Thread current = Thread.currentThread();
        boolean outermost = handingOff.add(current);
        try {
            QueueBinding queue = binding(envelope.queue());
            checkSupported(queue, envelope.options());
            EnqueueResult result = queue.provider().enqueue(envelope, Duration.ZERO);
            publishOutcome(queue, envelope, result, clock.instant(), true);
            return result;
        } catch (JobRejectedException e) {
            for (Consumer<String> listener : rejectedHandOffs) {
                listener.accept(envelope.queue());
            }
            throw e;
        } finally {
            if (outermost) {
                handingOff.remove(current);
            }
        }
    }

    /** Whether {@code queue} is configured here: the scheduler leaves another's due jobs to processes that have it. */
    @Override
    public boolean serves(String queue) {
        return queues.containsKey(queue);
    }

    /**
     * Whether {@code thread} announces an enqueue's outcome to the listeners, inside the enqueue call, which
     * close() waits for: close() from such a listener would wait for its own call.
     */
    boolean announcesOn(Thread thread) {
        return announcing.contains(thread);
    }

    /** Publishes an enqueue's outcome, with this thread {@linkplain #announcesOn announcing} meanwhile. */
    private void announce(JobEvent event) {
        announce(event, null);
    }

    /**
     * As {@link #announce(JobEvent)}; {@code enqueued} is the envelope of the job an {@code Enqueued} announces, which
     * an enqueue call made, for the {@link EventBus.EnvelopeListener}s (null for other events).
     */
    private void announce(JobEvent event, @Nullable JobEnvelope enqueued) {
        Thread current = Thread.currentThread();
        boolean outermost = announcing.add(current);
        try {
            if (enqueued == null) {
                events.publish(event);
            } else {
                events.publishEnqueued((JobEvent.Enqueued) event, enqueued);
            }
        } finally {
            if (outermost) {
                announcing.remove(current);
            }
        }
    }

    /** Whether {@code thread} is the scheduler's, handing a due job on (its listeners run on it). */
    boolean handsOffOn(Thread thread) {
        return handingOff.contains(thread);
    }

    /** {@code listener} is told the queue's name of each hand-off from the scheduler its queue rejects. */
    void onRejectedHandOff(Consumer<String> listener) {
        rejectedHandOffs.add(Objects.requireNonNull(listener, "listener"));
    }

    void removeRejectedHandOffListener(Consumer<String> listener) {
        rejectedHandOffs.remove(listener);
    }

    /** A job for the scheduler built with this queue's ids and defaults, after the same checks as enqueue. */
    JobEnvelope envelopeForScheduler(String type, @Nullable Object payload, Instant at, EnqueueOptions options) {
        requireType(type);
        if (options.delay() != null || options.scheduledFor() != null) {
            throw new IllegalArgumentException("schedule(...) takes its time from its 'at' argument; options must not "
                    + "set delay or scheduledFor, and these set " + (options.delay() != null
                            ? "delay " + DurationFormat.format(options.delay())
                            : "scheduledFor " + options.scheduledFor())
                    + ": leave it out of the options, or enqueue with them instead of scheduling");
        }
        JobOptions jobOptions = withTypeDefaults(type, options).resolve(JobOptions.defaults());
        QueueBinding queue = binding(jobOptions.queue());
        checkSupported(queue, type, options, jobOptions);
        String payloadJson = payloadJson(queue, type, payload);
        var envelope = new JobEnvelope(JobEnvelope.CURRENT_VERSION, ids.next(), type, payloadJson, jobOptions, 0,
                clock.instant(), at, options.traceId());
        queue.provider().checkAcceptable(envelope);
        return envelope;
    }

    /**
     * {@code options} with what they leave unset taken from the {@link HandlerOptions} of {@code type}'s
     * handler, where it is registered here; the same instance when there is nothing to add.
     */
    EnqueueOptions withTypeDefaults(String type, EnqueueOptions options) {
        HandlerOptions own = handlers.find(type).map(HandlerRegistry.Registration::options)
                .orElse(HandlerOptions.defaults());
        boolean attempts = own.maxAttempts() != null && options.maxAttempts() == null;
        boolean timeout = own.timeout() != null && options.timeout() == null;
        boolean queue = own.queue() != null && options.queue() == null;
        if (!attempts && !timeout && !queue) {
            return options;
        }
        EnqueueOptions.Builder filled = options.toBuilder();
        if (attempts) {
            filled.maxAttempts(own.maxAttempts());
        }
        if (timeout) {
            filled.timeout(own.timeout());
        }
        if (queue) {
            filled.queue(own.queue());
        }
        return filled.build();
    }

    QueueBinding binding(String name) {
        QueueBinding queue = queues.get(name);
        if (queue == null) {
            // quoted and escaped: a --queue read from a file put its newline into the refusal
            throw new JobRejectedException("unknown queue " + UntrustedText.singleQuote(name, JobOptions.MAX_QUEUE_NAME)
                    + " (configured: " + UntrustedText.escape(String.join(", ", queues.keySet())) + "); add it under "
                    + "'queues:' in "
                    + fileToEdit(configFile)
                    + " or with JobQueue.builder().queue(...)");
        }
        return queue;
    }

    String providerType(String queue) {
        return providerTypes.getOrDefault(queue, "?");
    }

    private String viaScheduler(QueueBinding queue, JobEnvelope envelope, Timing timing) {
        JobScheduler target = scheduler;
        if (target == null) {
            throw new JobRejectedException(noScheduler(queue, timing));
        }
        return schedule(queue, target, envelope, timing.runAt());
    }

    /**
     * Holds a job in the scheduler until {@code runAt}, unless a job waiting or running in the provider,
     * or one the scheduler holds, has its deduplication key: then that job's id.
     */
    String schedule(QueueBinding queue, JobScheduler target, JobEnvelope envelope, Instant runAt) {
        // Refused now, to the caller, rather than at every hand-off once it is due.
        queue.provider().checkAcceptable(envelope);
        String key = envelope.options().deduplicationKey();
        Optional<String> live = key == null ? Optional.empty() : queue.provider().jobHoldingKey(key);
        String id = live.isPresent() ? live.get() : target.schedule(envelope, runAt);
        if (id.equals(envelope.jobId())) {
            announce(new JobEvent.Enqueued(clock.instant(), envelope.queue(), id, envelope.type(), runAt, true),
                    envelope);
        } else {
            publishDeduplicated(queue.name(), id, envelope);
        }
        return id;
    }

    /**
     * Why a job the provider cannot hold is refused without a scheduler: named as the caller gave it, a delay, or an
     * instant with how far off it is (not a delay the caller never wrote, counted from the call).
     */
    private String noScheduler(QueueBinding queue, Timing timing) {
        Duration maxDelay = queue.provider().capabilities().maxDelay();
        String job = timing.atInstant()
                ? "a job for " + timing.runAt() + " (" + howFarOff(timing.delay(), maxDelay) + " from now)"
                : "a delay of " + DurationFormat.formatExact(timing.delay());
        return job + " is beyond what provider '" + providerType(queue.name())
                + "' of queue '" + queue.shownName() + "' can hold ("
                + (maxDelay.isZero() ? "no per-message delay" : "at most " + DurationFormat.format(maxDelay))
                + "); enable the scheduler (a 'scheduler:' section in "
                + fileToEdit(configFile) + " with dev.jobq:scheduler-jdbc on "
                + "the classpath) so that longer delays and scheduledFor are held in its database";
    }

    /**
     * How far off a job's instant is, to the millisecond, readable: the instant beside it is exact, and a system clock's
     * microseconds put a fraction under a millisecond into almost every one. Exact where that reads as the maximum it
     * is beyond: "(15m from now) is beyond … (at most 15m)" of an instant 15m and 0.5 ms off.
     */
    private static String howFarOff(Duration delay, Duration maxDelay) {
        String shown = DurationFormat.format(delay);
        return shown.equals(DurationFormat.format(maxDelay)) ? DurationFormat.formatExact(delay) : shown;
    }

    private String toProvider(QueueBinding queue, JobEnvelope envelope, Duration delay, Instant runAt) {
        EnqueueResult result = queue.provider().enqueue(envelope, delay);
        publishOutcome(queue, envelope, result, runAt, false);
        return result.jobId();
    }

    /**
     * Announces what the provider did with a job: {@code Enqueued}, or {@code Deduplicated} for a job it already had.
     * {@code handOff}: the job is one the scheduler held (or a recurring job's occurrence), handed on now that it is
     * due, whose {@code Enqueued} goes to the listeners without its envelope: an enqueue call announced it with its
     * envelope when the scheduler took it (or none did).
     */
    private void publishOutcome(QueueBinding queue, JobEnvelope envelope, EnqueueResult result, Instant runAt,
                                boolean handOff) {
        if (!events.hasListeners()) {
            return;
        }
        if (result.duplicate()) {
            publishDeduplicated(queue.name(), result.jobId(), envelope);
        } else {
            var enqueued = new JobEvent.Enqueued(clock.instant(), queue.name(), result.jobId(), envelope.type(), runAt,
                    false);
            announce(enqueued, handOff ? null : envelope);
        }
    }

    /** {@code envelope} was not enqueued: job {@code existingId} holds its deduplication key (or its id). */
    private void publishDeduplicated(String queue, String existingId, JobEnvelope envelope) {
        String key = envelope.options().deduplicationKey();
        announce(new JobEvent.Deduplicated(clock.instant(), queue, existingId, envelope.type(),
                key != null ? key : envelope.jobId()));
    }

    /**
     * What the queue's provider cannot hold, refused at the call. Run at every enqueue: the messages
     * are built in methods of their own, so that this method stays small enough for the JIT to inline.
     */
    private void checkSupported(QueueBinding queue, JobOptions options) {
        Capabilities capabilities = queue.provider().capabilities();
        if (options.priority() != 0 && !capabilities.supports(Feature.PRIORITY)) {
            throw priorityUnsupported(queue, options);
        }
        if (options.maxAttempts() > capabilities.maxAttempts()) {
            throw tooManyAttempts(queue, options, capabilities.maxAttempts());
        }
        if (options.timeout().compareTo(capabilities.maxTimeout()) > 0) {
            throw timeoutTooLong(queue, options, capabilities.maxTimeout());
        }
        if (options.deduplicationKey() != null && !capabilities.supports(Feature.DEDUPLICATION)) {
            throw deduplicationUnsupported(queue, options);
        }
    }

    /** {@link #checkSupported(QueueBinding, JobOptions)}, its refusal saying where a type's defaults broke the limit. */
    private void checkSupported(QueueBinding queue, String type, EnqueueOptions given, JobOptions resolved) {
        try {
            checkSupported(queue, resolved);
        } catch (JobRejectedException refused) {
            throw namingTypeDefaults(refused, queue, type, given, resolved);
        }
    }

    /**
     * {@code refused}, refused for {@code resolved}, saying so when the value over the provider's limit is not one
     * the enqueue gave but its type's default, from the {@link HandlerOptions} its handler was registered with: the
     * message told the caller to lower an option its enqueue never set. Checked in the order
     * {@link #checkSupported(QueueBinding, JobOptions)} checks, so the option named is the one it refused; built only
     * once a job is refused.
     */
    private JobRejectedException namingTypeDefaults(JobRejectedException refused, QueueBinding queue, String type,
                                                    EnqueueOptions given, JobOptions resolved) {
        Capabilities capabilities = queue.provider().capabilities();
        if (resolved.priority() != 0 && !capabilities.supports(Feature.PRIORITY)) {
            return refused;
        }
        HandlerOptions own = handlers.find(type).map(HandlerRegistry.Registration::options)
                .orElse(HandlerOptions.defaults());
        String option;
        String value;
        if (resolved.maxAttempts() > capabilities.maxAttempts()) {
            if (given.maxAttempts() != null || own.maxAttempts() == null) {
                return refused;
            }
            option = "maxAttempts";
            value = String.valueOf(resolved.maxAttempts());
        } else if (resolved.timeout().compareTo(capabilities.maxTimeout()) > 0) {
            if (given.timeout() != null || own.timeout() == null) {
                return refused;
            }
            option = "timeout";
            value = DurationFormat.formatExact(resolved.timeout());
        } else {
            return refused;
        }
        return new JobRejectedException(refused.getMessage() + "; " + option + " " + value + " is the default of job "
                + "type '" + shownType(type) + "', from the HandlerOptions its handler was registered with: lower it "
                + "there, or set " + option + " in the EnqueueOptions");
    }

    /** The config file a fix tells one to edit: the one read, or jobq.yaml where the queue was built in code. */
    static String fileToEdit(@Nullable Path configFile) {
        return configFile == null ? "jobq.yaml" : UntrustedText.escape(configFile.toString()); // its newline split it
    }

    private JobRejectedException priorityUnsupported(QueueBinding queue, JobOptions options) {
        return new JobRejectedException("priority " + options.priority() + " is not supported by provider '"
                + providerType(queue.name()) + "' of queue '" + queue.shownName() + "'; to run some jobs first, give "
                + "them a named queue listed first in worker.queues (e.g. queues: [critical, default]) and "
                + "enqueue with EnqueueOptions.queue(\"critical\") (jobq enqueue --queue critical)");
    }

    private JobRejectedException tooManyAttempts(QueueBinding queue, JobOptions options, int most) {
        return new JobRejectedException("maxAttempts " + options.maxAttempts() + " is more than provider '"
                + providerType(queue.name()) + "' of queue '" + queue.shownName() + "' lets a job have (" + most + ")"
                + ("sqs".equals(providerType(queue.name()))
                        ? ": the SQS queue's redrive policy moves a message to its dead-letter queue after " + most
                        + " receives (maxReceiveCount), which would end the job before its last attempt, without "
                        + "its error and without a Dead event; lower maxAttempts to at most " + most + ", or raise "
                        + "the queue's maxReceiveCount (docs/sqs.md)"
                        : "; lower maxAttempts to at most " + most));
    }

    private JobRejectedException timeoutTooLong(QueueBinding queue, JobOptions options, Duration longest) {
        String most = DurationFormat.format(longest);
        return new JobRejectedException("timeout " + DurationFormat.formatExact(options.timeout()) + " is longer than "
                + "provider '" + providerType(queue.name()) + "' of queue '" + queue.shownName()
                + "' can keep a running job from being delivered again (" + most
                + ("sqs".equals(providerType(queue.name())) ? ": SQS hides a received message for at most 12 h" : "")
                + "): a handler still running then would run a second time beside itself; give a timeout of at "
                + "most " + most + ", or split the work into shorter jobs");
    }

    private JobRejectedException deduplicationUnsupported(QueueBinding queue, JobOptions options) {
        return new JobRejectedException("deduplicationKey " + shownKey(options.deduplicationKey())
                + " is not supported by provider '" + providerType(queue.name()) + "' of queue '"
                + queue.shownName() + "'"
                + ("sqs".equals(providerType(queue.name()))
                        ? "; only FIFO queues deduplicate (MessageDeduplicationId): use a .fifo queue"
                        : "; leave it unset or use a provider that deduplicates"));
    }

    /**
     * A deduplication key as a refusal names it: quoted, its control characters escaped, and a long one cut after
     * {@value #KEY_PREVIEW_CHARS} characters with its length, as a long trace id is (a 10,000-character key made a
     * 10,000-character message).
     */
    private static String shownKey(String key) {
        return UntrustedText.singleQuote(key, KEY_PREVIEW_CHARS);
    }

    private void checkSize(QueueBinding queue, String type, String payloadJson) {
        int limit = queue.provider().capabilities().maxPayloadBytes();
        // Cheap bound first: a UTF-8 byte is at most 3 per char for the BMP, 1 for ASCII.
        if ((long) payloadJson.length() * 3 <= limit) {
            return;
        }
        int bytes = payloadJson.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limit) {
            throw new JobRejectedException("payload of job type '" + shownType(type) + "' is " + bytes + " bytes, "
                    + "over the " + limit + "-byte limit of provider '" + providerType(queue.name()) + "' of queue '"
                    + queue.shownName()
                    + ("sqs".equals(providerType(queue.name())) ? "': " + sqsPayloadLimit(limit)
                            : "'; store large data elsewhere (a database, S3) and put its id in the payload, or raise "
                            + "maxPayloadBytes where the provider allows"));
        }
    }

    /**
     * What sets an SQS queue's payload limit and the way past it. "Raise maxPayloadBytes" could not help where the
     * queue's or its dead-letter queue's smaller MaximumMessageSize sets the limit (start-up lowers it to the lowest of
     * the three), and not at all at SQS's own most.
     */
    private static String sqsPayloadLimit(int limit) {
        int lowest = limit + SQS_DEAD_LETTER_RESERVE;
        return lowest + " bytes, the lowest of maxPayloadBytes and the MaximumMessageSize of the SQS queue and of its "
                + "dead-letter queue if it has one (each dead job is copied there), less " + SQS_DEAD_LETTER_RESERVE
                + " kept for the attributes of a dead-letter copy; store large data elsewhere (S3, a database) and put "
                + "its id in the payload" + (lowest >= SQS_MAX_MESSAGE_BYTES ? ": 1 MiB is the most SQS takes"
                        : ", or raise the lowest of them (SQS takes up to 1 MiB: docs/sqs.md)");
    }

    /**
     * A job type as a refusal at enqueue names it, escaped: requireType takes a bidirectional override (U+202E, no
     * control character), which showed the rest of the message reversed. Called only where a refusal is built, and
     * by the WARN of a listener of registrations that failed on the type.
     */
    static String shownType(String type) {
        return UntrustedText.escape(type);
    }

    private static void requireType(String type) {
        if (type == null || type.isBlank()) {
            throw blankType(type);
        }
        if (type.length() > MAX_TYPE) {
            throw typeTooLong(type);
        }
        if (hasControlCharacter(type)) {
            throw typeWithControlCharacter(type);
        }
    }

    /**
     * Whether {@code type} has a control character (C0, DEL, C1), as a trace id may not: a trailing newline from a
     * shell or a file, a tab. Such a type was taken, and each of its jobs dead-lettered as of an unknown type.
     */
    static boolean hasControlCharacter(String type) {
        for (int i = 0; i < type.length(); i++) {
            if (Character.isISOControl(type.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The refusal of a job type with a control character, at enqueue, schedule and registration alike. One past the
     * characters shown is named with where it is: a trailing newline on a long type was cut off, and the refusal said
     * "(shown escaped)" of a character it did not show.
     */
    static IllegalArgumentException typeWithControlCharacter(String type) {
        int at = 0;
        while (!Character.isISOControl(type.charAt(at))) {
            at++;
        }
        String which = at < TYPE_PREVIEW_CHARS ? " (shown escaped)"
                : ", " + UntrustedText.escape(type.substring(at, at + 1)) + " at character " + (at + 1)
                        + ", past what is shown";
        return new IllegalArgumentException("job type " + UntrustedText.quote(type, TYPE_PREVIEW_CHARS)
                + " has a control character" + which + "; give the type its handler registers, such as "
                + "\"email:send\", without line breaks, tabs or other control characters");
    }

    /**
     * The refusal of a null or blank job type, at enqueue, schedule and registration alike: which it was (a blank one
     * quoted, its control characters escaped, cut as a long type is) and what to give instead.
     */
    static IllegalArgumentException blankType(@Nullable String type) {
        return new IllegalArgumentException("job type must not be " + (type == null ? "null"
                : "blank, got " + UntrustedText.quote(type, TYPE_PREVIEW_CHARS))
                + "; give the type its handler registers, such as \"email:send\"");
    }

    /**
     * The refusal of a job type over {@value #MAX_TYPE} characters: its start, its control characters escaped (a
     * newline in it started a line of its own in the log) and not cut inside an emoji, and its length.
     */
    static IllegalArgumentException typeTooLong(String type) {
        return new IllegalArgumentException("job type '" + UntrustedText.escape(type, TYPE_PREVIEW_CHARS) + "' is "
                + type.length() + " characters long, longer than the " + MAX_TYPE + " a job type may have (what the "
                + "scheduler holds, so that any job can also be delayed or scheduled); use a shorter job type");
    }
}
