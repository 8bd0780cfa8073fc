package dev.jobq.internal.runtime;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.internal.worker.FailurePolicy;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.UntrustedText;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to listeners on the caller's thread; a failing listener is logged, never fatal. The
 * worker publishes in the middle of an attempt (Started before the handler runs, Failed before the
 * provider is told), so whatever a listener throws is caught here: an {@link AssertionError} in a test's
 * listener, a {@link LinkageError}, or a checked exception a Kotlin listener throws must not skip the
 * handler or leave the delivery unsettled until its lease ends. So is any other {@link Throwable}: one that
 * is neither an Exception nor an Error (thrown sneakily, or from Kotlin), and a {@link VirtualMachineError}
 * (a listener's runaway recursion, an allocation too large for the heap), which went on before and, thrown
 * from Started, left the attempt unsettled, or from Failed, kept its retry from being told to the provider.
 * A VirtualMachineError is logged at ERROR; the event still reaches the other listeners.
 */
public final class EventBus {

    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    /**
     * How much of an event a listener's failure shows: a job type another producer's message gives may be of any
     * length (it dies as unknown), and its Dead event went whole into the line.
     */
    private static final int EVENT_SHOWN = 2_000;

    private final CopyOnWriteArrayList<JobListener> listeners;

    public EventBus(List<JobListener> initial) {
        this.listeners = new CopyOnWriteArrayList<>(initial);
    }

    public void add(JobListener listener) {
        listeners.add(listener);
    }

    public void remove(JobListener listener) {
        listeners.remove(listener);
    }

    public boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /**
     * A listener that is also given, with each {@link JobEvent.Enqueued} of a job an enqueue call made, the job's
     * envelope, payload included: what {@code dev.jobq.testing.EnqueuedJobs} records. Its {@code onEvent} hears the
     * rest, the {@code Enqueued} of a job the scheduler hands on and of a redriven dead letter among them.
     */
    public interface EnvelopeListener extends JobListener {

        void onEnqueued(JobEvent.Enqueued event, JobEnvelope envelope);
    }

    /**
     * Publishes the {@code Enqueued} of {@code envelope}'s job, which an enqueue call made: as {@link #publish},
     * and to an {@link EnvelopeListener} with the envelope. Called only when {@link #hasListeners()}, so a queue with
     * no listener pays nothing for it; one with listeners, a type check of each.
     */
    public void publishEnqueued(JobEvent.Enqueued event, JobEnvelope envelope) {
        for (JobListener listener : listeners) {
            try {
                if (listener instanceof EnvelopeListener recorder) {
                    recorder.onEnqueued(event, envelope);
                } else {
                    listener.onEvent(event);
                }
            } catch (Throwable e) {
                failed(listener, event, e);
            }
        }
    }

    public void publish(JobEvent event) {
        for (JobListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (Throwable e) {
                failed(listener, event, e);
            }
        }
    }

    /**
     * Logs what {@code listener} threw as a handler's failure is logged ({@link FailurePolicy#loggable}: messages cut
     * to 1,000 characters, a bounded chain): a listener's 100,000-character message went whole into the log, for
     * every event it failed on. The event escaped and cut, as the worker's lines show what a message gave (its type,
     * the id of one it could not read): a newline in a type started a forged line.
     */
    private static void failed(JobListener listener, JobEvent event, Throwable e) {
        String shown = UntrustedText.escape(String.valueOf(event), EVENT_SHOWN);
        try {
            Throwable loggable = FailurePolicy.loggable(e);
            if (e instanceof VirtualMachineError) {
                log.error("jobq listener ({}) failed on {} with {}; the event was still delivered to the others, and "
                        + "the job's outcome is recorded", UserCode.describe(listener), shown, e.getClass().getName(),
                        loggable);
            } else {
                log.warn("jobq listener ({}) failed on {}; the event was still delivered to the others",
                        UserCode.describe(listener), shown, loggable);
            }
        } catch (RuntimeException | Error unloggable) {
            // What the listener threw cannot be logged (a message that throws, a chain too deep for the logger):
            // its event and the attempt that published it must still go on. Out of memory too, which loggable hands
            // on where a message ran out of it: a listener's own is logged, not thrown on, and that one ended the
            // publishing, the other listeners without the event, a Started's attempt unsettled until its lease ended.
            log.warn("jobq listener ({}) failed on {} with {}, which could not be logged", UserCode.describe(listener),
                    shown, e.getClass().getName());
        }
    }
}
