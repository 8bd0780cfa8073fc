package dev.jobq.internal.runtime;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to listeners on the caller's thread; a failing listener is logged, never fatal. The
 * worker publishes in the middle of an attempt (Started before the handler runs, Failed before the
 * provider is told), so whatever a listener throws is caught here: an {@link AssertionError} in a test's
 * listener, a {@link LinkageError}, or a checked exception a Kotlin listener throws must not skip the
 * handler or leave the delivery unsettled until its lease ends. Only a {@link VirtualMachineError} goes on.
 */
public final class EventBus {

    private static final Logger log = LoggerFactory.getLogger(EventBus.class);

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

    public void publish(JobEvent event) {
        for (JobListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Exception | Error e) {
                log.warn("jobq listener ({}) failed on {}; the event was still delivered to the others",
                        UserCode.describe(listener), event, e);
            }
        }
    }
}
