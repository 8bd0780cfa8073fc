package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One worker serving several SQS queues (docs/semantics.md#concurrency). SQS receives in batches of ten, so the
 * worker runs a poll loop per ten permits on each queue: with concurrency 11, two loops a queue.
 */
@DisplayName("SQS: one worker serving several queues (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsSeveralQueuesTest {

    @Test
    @DisplayName("concurrency 11 over 7 SQS queues, two poll loops each: a job on the last queue runs while the "
            + "others are empty")
    void theLastOfSevenQueuesRunsItsJob() throws Exception {
        var events = new CopyOnWriteArrayList<JobEvent>();
        var builder = JobQueue.builder().environment(Map.of());
        var names = new ArrayList<String>();
        var providers = new ArrayList<CountsReceives>();
        for (int i = 0; i < 7; i++) {
            String name = "q" + i;
            names.add(name);
            var provider = new CountsReceives(new SqsProviderFactory().create(new ProviderContext(name,
                    Settings.of("test", "queues." + name, ElasticMq.settings(ElasticMq.newQueues("several", false),
                            Map.of("visibilityTimeout", "30s"))), Clock.systemUTC())));
            providers.add(provider);
            builder.queue(name, provider);
        }
        try (var closing = (AutoCloseable) () -> providers.forEach(QueueProvider::close);
             JobQueue jobs = builder.workerQueues(names.toArray(String[]::new))
                .concurrency(11)
                .pollInterval(Duration.ofSeconds(1))
                .shutdownTimeout(Duration.ofSeconds(1))
                .listener(events::add)
                .build()) {
            for (String name : names) {
                jobs.registerJobHandler(name + ":work", String.class, (job, ctx) -> { });
            }
            jobs.start();
            // past the first looks (each a long poll of 1 s): the permits are where the loops keep them
            Awaitility.await().alias("the first queue's loops keep looking").atMost(Duration.ofSeconds(30))
                    .until(() -> providers.getFirst().receives.get() >= 8);

            String last = jobs.enqueue("q6:work", "last", EnqueueOptions.queue("q6"));
            awaitCompleted(events, List.of(last));
        }
    }

    /** An SQS provider that counts its receives. */
    static final class CountsReceives extends ForwardingQueueProvider {
        final AtomicInteger receives = new AtomicInteger();

        CountsReceives(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            receives.incrementAndGet();
            return super.receive(max, wait);
        }
    }

    private static void awaitCompleted(List<JobEvent> events, List<String> ids) {
        Awaitility.await().alias("jobs " + ids + " completed").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> events.stream().filter(JobEvent.Completed.class::isInstance)
                        .map(e -> ((JobEvent.Completed) e).jobId()).toList().containsAll(ids));
    }
}
