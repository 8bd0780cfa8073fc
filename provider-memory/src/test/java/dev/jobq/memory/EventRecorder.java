package dev.jobq.memory;

import static org.awaitility.Awaitility.await;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event, and waits (bounded) for events of a kind. */
final class EventRecorder implements JobListener {

    static final Duration WAIT = Duration.ofSeconds(20);

    private final CopyOnWriteArrayList<JobEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(JobEvent event) {
        events.add(event);
    }

    <E extends JobEvent> List<E> all(Class<E> kind) {
        return events.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <E extends JobEvent> List<E> awaitCount(Class<E> kind, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> all(kind).size() >= count);
        return all(kind);
    }
}
