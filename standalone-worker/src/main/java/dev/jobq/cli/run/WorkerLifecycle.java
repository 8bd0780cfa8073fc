package dev.jobq.cli.run;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.JobQueue;
import dev.jobq.cli.http.WorkerState;
import dev.jobq.cli.http.WorkerView;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.internal.worker.ReceiveOutage;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The state of one {@code jobq run} worker, moved along by the run command, with the queues and
 * concurrency the worker announces in its {@link JobEvent.WorkerStarted} events.
 */
final class WorkerLifecycle implements WorkerView, JobListener {

    private final JobQueue jobs;
    private final InstantSource clock;
    private final AtomicReference<WorkerState> state = new AtomicReference<>(WorkerState.STARTING);
    private final List<String> queues = new CopyOnWriteArrayList<>();
    private volatile int concurrency;
    private volatile @Nullable Instant startedAt;

    WorkerLifecycle(JobQueue jobs, InstantSource clock) {
        this.jobs = jobs;
        this.clock = clock;
    }

    @Override
    public void onEvent(JobEvent event) {
        if (event instanceof JobEvent.WorkerStarted started) {
            queues.add(started.queue());
            concurrency = started.concurrency();
        }
    }

    void running() {
        startedAt = clock.instant();
        state.set(WorkerState.RUNNING);
    }

    void stopping() {
        state.set(WorkerState.STOPPING);
    }

    void stopped() {
        state.set(WorkerState.STOPPED);
    }

    @Override
    public WorkerState state() {
        return state.get();
    }

    @Override
    public int concurrency() {
        return concurrency;
    }

    @Override
    public int activeHandlers() {
        if (jobs instanceof JobQueueRuntime runtime) {
            return runtime.activeHandlers();
        }
        return (int) jobs.stats().stream().mapToLong(s -> Math.max(0, s.active())).sum();
    }

    @Override
    public int overdueHandlers() {
        return jobs instanceof JobQueueRuntime runtime ? runtime.overdueHandlers() : 0;
    }

    @Override
    public Optional<ReceiveOutage> receiveOutage(String queue) {
        return jobs instanceof JobQueueRuntime runtime ? runtime.receiveOutage(queue) : Optional.empty();
    }

    @Override
    public List<String> queues() {
        return List.copyOf(queues);
    }

    @Override
    public List<String> handlerTypes() {
        return List.copyOf(new TreeSet<>(jobs.registeredTypes()));
    }

    @Override
    public @Nullable Instant startedAt() {
        return startedAt;
    }
}
