package dev.jobq.sqs;

import dev.jobq.Backoff;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * The {@code JobQueue}s of one test on the SQS provider, built from config-file settings (as a user
 * would, so the provider's events reach the listener), each recording its events; closed by
 * {@link #close()}.
 */
final class WorkerQueues implements AutoCloseable {

    final List<JobEvent> events = new CopyOnWriteArrayList<>();
    private final List<JobQueue> opened = new ArrayList<>();

    /** A queue on {@code queues} with a two-second visibility timeout, no retry backoff, two handlers at once. */
    JobQueue open(SqsServer.Queues queues, Map<String, ?> extraSettings, Duration shutdownTimeout) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("visibilityTimeout", "2s");
        extra.putAll(extraSettings);
        return open(ElasticMq.settings(queues, extra), shutdownTimeout);
    }

    JobQueue open(Map<String, Object> settings, Duration shutdownTimeout) {
        JobQueue queue = JobQueue.builder()
                .environment(Map.of())
                .provider("sqs", settings)
                .backoff(Backoff.none())
                .concurrency(2)
                .pollInterval(Duration.ofSeconds(1))
                .shutdownTimeout(shutdownTimeout)
                .listener(events::add)
                .build();
        opened.add(queue);
        return queue;
    }

    /** Waits up to 30 s for the first event of {@code type} that matches. */
    <E extends JobEvent> E awaitEvent(Class<E> type, Predicate<E> matching) {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> first(type, matching), found -> found != null);
    }

    /** Waits up to 30 s until {@code count} events of {@code type} match; returns them. */
    <E extends JobEvent> List<E> awaitEvents(Class<E> type, Predicate<E> matching, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> all(type, matching).size() >= count);
        return all(type, matching);
    }

    <E extends JobEvent> List<E> all(Class<E> type, Predicate<E> matching) {
        return events.stream().filter(type::isInstance).map(type::cast).filter(matching).toList();
    }

    private <E extends JobEvent> E first(Class<E> type, Predicate<E> matching) {
        return all(type, matching).stream().findFirst().orElse(null);
    }

    @Override
    public void close() {
        opened.forEach(JobQueue::close);
    }
}
