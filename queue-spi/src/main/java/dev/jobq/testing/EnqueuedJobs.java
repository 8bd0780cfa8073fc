package dev.jobq.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.internal.runtime.EventBus;
import dev.jobq.internal.runtime.HandlerRegistry;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.spi.JobEnvelope;
import java.io.IOException;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Records the jobs a {@link JobQueue}'s enqueue calls put on it, payloads included, for a test to assert what the code
 * under test enqueued, as Laravel's {@code Queue::fake()} or Sidekiq's {@code jobs} array let it. The queue stays
 * real: on a queue that is not started (the memory provider's), the jobs wait there and nothing runs them; on a
 * started one they run as always, and a job keeps its record after it has run and the queue has forgotten it.
 *
 * <pre>{@code
 * try (JobQueue jobs = JobQueue.builder().build();
 *      EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
 *     signUp.register("ada@example.com");                 // the code under test, enqueueing on jobs
 *     assertThat(enqueued.payloads("email:send", Email.class))
 *             .containsExactly(new Email("ada@example.com", "Welcome!"));
 * }
 * }</pre>
 *
 * <p>Recorded (in the order described below): each job an {@link JobQueue#enqueue enqueue} or
 * {@link JobQueue#enqueueAll enqueueAll} call put on the queue's provider or gave the scheduler to hold (a job
 * for an instant, or a delay beyond the provider's), and each job {@link dev.jobq.Scheduler#schedule
 * scheduler().schedule} took, from any thread: a handler's follow-up jobs, enqueued through
 * {@link dev.jobq.JobContext#queue()} (or a {@link TestJobContext#withQueue} of this queue), are recorded too.
 * Not recorded, as no enqueue call made a new job of them: an enqueue that returned the pending job holding its
 * deduplication key (the job that holds it was recorded, if it was enqueued while recording); an enqueue refused
 * with an exception (and a job of an {@code enqueueAll} the provider refused); a job the scheduler held, again
 * when it hands it to its queue once due; a recurring job's occurrences, which the scheduler makes; a dead letter
 * redriven. Jobs enqueued before {@link #recording} or after {@link #close()} are not recorded.
 *
 * <p>Order: a job is recorded when its enqueue call announces it, after the provider took it and before the call
 * returns. So one thread's jobs are recorded in the order of its calls, but jobs enqueued from several threads may
 * be recorded in either order: on a started queue, a handler can run a job and record the follow-up job it enqueues
 * before the thread that enqueued the first has recorded it. Assert such jobs without their order
 * ({@code containsExactlyInAnyOrder}).
 *
 * <p>Thread-safe: jobs are recorded from whatever threads enqueue them, and read from any; each method answers a
 * copy, taken at the call. Recording adds nothing to the enqueue calls of a queue no recorder listens to.
 */
public final class EnqueuedJobs implements AutoCloseable {

    /** The most of a payload an error message shows. */
    private static final int SHOWN = 500;

    private final JobQueueRuntime queue;
    private final Recorder recorder = new Recorder();
    private final List<EnqueuedJob> recorded = new ArrayList<>();

    private EnqueuedJobs(JobQueueRuntime queue) {
        this.queue = queue;
    }

    /**
     * Records, from now until {@link #close()}, the jobs {@code jobs}' enqueue calls put on it.
     *
     * @throws IllegalArgumentException if {@code jobs} was not built by {@link JobQueue#builder()} or
     *                                  {@link JobQueue#fromConfig} (a wrapper or a mock of the interface)
     */
    public static EnqueuedJobs recording(JobQueue jobs) {
        Objects.requireNonNull(jobs, "jobs");
        if (!(jobs instanceof JobQueueRuntime runtime)) {
            throw new IllegalArgumentException("EnqueuedJobs records a JobQueue built by JobQueue.builder() or "
                    + "JobQueue.fromConfig(...), not a " + jobs.getClass().getName() + "; give it the queue that one "
                    + "wraps");
        }
        var enqueued = new EnqueuedJobs(runtime);
        runtime.addListener(enqueued.recorder);
        return enqueued;
    }

    /** Every job recorded, in the order recorded (see the class's javadoc). */
    public List<EnqueuedJob> all() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** The jobs of type {@code type} recorded, in the order recorded (see the class's javadoc). */
    public List<EnqueuedJob> ofType(String type) {
        Objects.requireNonNull(type, "type");
        return all().stream().filter(job -> job.type().equals(type)).toList();
    }

    /**
     * The payloads of the jobs of type {@code type} recorded, in order, each read as {@code payloadType} as a handler
     * registered for it with that class is given it: by the queue's own mapper. A job enqueued without a payload
     * gives {@code null} (for most classes), so the list may hold nulls.
     *
     * @throws IllegalArgumentException when a payload cannot be read as {@code payloadType}, naming the job, its
     *                                  type, the class, why, and the payload
     */
    public <T> List<@Nullable T> payloads(String type, Class<T> payloadType) {
        return read(type, Objects.requireNonNull(payloadType, "payloadType"));
    }

    /**
     * As {@link #payloads(String, Class)}, for a generic payload type, as a handler registered with a
     * {@code TypeReference} is given it: {@code payloads("email:batch", new TypeReference<List<Email>>() { })}.
     *
     * @throws IllegalArgumentException when a payload cannot be read as {@code payloadType}, as that method's; and
     *                                  when {@code payloadType} names a type variable (made in a generic method,
     *                                  {@code new TypeReference<List<T>>() { }}), as registering a handler with it is
     */
    public <T> List<@Nullable T> payloads(String type, TypeReference<T> payloadType) {
        Type named = Objects.requireNonNull(payloadType, "payloadType").getType();
        Optional<TypeVariable<?>> variable = HandlerRegistry.typeVariableIn(named);
        if (variable.isPresent()) {
            throw new IllegalArgumentException("payloads of type '" + type + "': the payload type "
                    + named.getTypeName() + " names the type variable " + variable.get().getName() + ", which Java "
                    + "erases, so Jackson would read it as " + queue.payloadType(variable.get()).toCanonical()
                    + " and the list would hold that instead of the payload class; create the TypeReference where "
                    + "the type is known, such as new TypeReference<List<Order>>() { }, and pass it to the generic "
                    + "method");
        }
        return read(type, named);
    }

    @SuppressWarnings("unchecked") // the mapper reads payloadType, which T is
    private <T> List<@Nullable T> read(String type, Type payloadType) {
        JavaType javaType = queue.payloadType(payloadType);
        ObjectReader reader = queue.payloadReader(javaType);
        List<@Nullable T> payloads = new ArrayList<>();
        for (EnqueuedJob job : ofType(type)) {
            try {
                payloads.add((T) reader.readValue(job.payloadJson()));
            } catch (IOException | RuntimeException e) {
                String why = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.toString();
                throw new IllegalArgumentException("the payload of job " + job.id() + " (type '" + type + "') cannot "
                        + "be read as " + javaType.toCanonical() + ": " + why + "; its payload: "
                        + shown(job.payloadJson()), e);
            }
        }
        return Collections.unmodifiableList(payloads);
    }

    /**
     * A payload as an error message and {@link EnqueuedJob#toString()} show it: whole, up to {@value #SHOWN}
     * characters.
     */
    static String shown(String payloadJson) {
        return payloadJson.length() <= SHOWN ? payloadJson
                : payloadJson.substring(0, SHOWN) + "… (" + payloadJson.length() + " characters)";
    }

    /** Forgets what was recorded; recording goes on. */
    public void clear() {
        synchronized (recorded) {
            recorded.clear();
        }
    }

    /** Stops recording; what was recorded stays readable. Idempotent. */
    @Override
    public void close() {
        queue.removeListener(recorder);
    }

    /** The queue's listener: told each job an enqueue call made, with its envelope, as the queue accepts it. */
    private final class Recorder implements EventBus.EnvelopeListener {

        @Override
        public void onEnqueued(JobEvent.Enqueued event, JobEnvelope envelope) {
            var job = new EnqueuedJob(event.jobId(), event.type(), event.queue(), event.runAt(), event.viaScheduler(),
                    envelope.options(), envelope.payloadJson(), envelope.traceId());
            synchronized (recorded) {
                recorded.add(job);
            }
        }

        @Override
        public void onEvent(JobEvent event) {
            // the events of a job's life after its enqueue, and Enqueued without an enqueue call: not recorded
        }
    }
}
