package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.Feature;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code jobq run --max-jobs N} in the worker ({@link JobQueueRuntime#limitJobs}): it receives N jobs over all
 * its queues and no more, whether its handler threads take them with their acknowledgements (a provider that
 * receives in-process) or its poll loops receive them in batches (a provider over the network).
 */
class MaxJobsTest {

    record Work(int n) {
    }

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    private QueueProvider memory(String queue) {
        return fixture.closeLater(new MemoryProviderFactory().create(
                new ProviderContext(queue, Settings.of("test", "provider", Map.of()), Clock.systemUTC())));
    }

    /** As SQS receives: batches of 10 over the network, so every job comes through a poll loop. */
    private static QueueProvider inBatches(QueueProvider memory) {
        return new ForwardingQueueProvider(memory) {
            @Override
            public Capabilities capabilities() {
                return receivedInBatches(delegate().capabilities());
            }
        };
    }

    /**
     * {@code real} as a provider that receives over the network has it (SQS): no {@link Feature#LOCAL_RECEIVE},
     * so the worker's poll loops receive batches of ten and its handler threads take none themselves.
     */
    static Capabilities receivedInBatches(Capabilities real) {
        var features = EnumSet.copyOf(real.features());
        features.remove(Feature.LOCAL_RECEIVE);
        return new Capabilities(real.maxDelay(), real.maxPayloadBytes(), features, 10);
    }

    @Test
    @DisplayName("a worker limited to 30 jobs at concurrency 20 runs 30 of 1,000 quick jobs; the rest still wait")
    void inProcessTakesStopAtTheLimit() throws Exception {
        assertRunsExactly(30, List.of("default"), List.of(memory("default")));
    }

    @Test
    @DisplayName("the limit holds for receives in batches, and over all the worker's queues together")
    void batchReceivesAndSeveralQueuesShareTheLimit() throws Exception {
        assertRunsExactly(30, List.of("local", "remote"), List.of(memory("local"), inBatches(memory("remote"))));
    }

    private void assertRunsExactly(int limit, List<String> names, List<QueueProvider> providers) throws Exception {
        var builder = JobQueue.builder().concurrency(20).shutdownTimeout(Duration.ofSeconds(5))
                .backoff(Backoff.none()).listener(fixture.events);
        for (int i = 0; i < names.size(); i++) {
            builder.queue(names.get(i), new KeepOpen(providers.get(i)));
        }
        JobQueue jobs = builder.build();
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        int perQueue = 1_000 / names.size();
        for (String name : names) {
            jobs.enqueueAll("work", IntStream.range(0, perQueue).mapToObj(Work::new).toList(),
                    EnqueueOptions.queue(name));
        }
        ((JobQueueRuntime) jobs).limitJobs(limit);
        jobs.start();

        fixture.events.awaitCount(JobEvent.Completed.class, limit);
        jobs.close();

        long completed = 0;
        long waiting = 0;
        for (int i = 0; i < names.size(); i++) {
            completed += jobs.stats(names.get(i)).completed();
            waiting += providers.get(i).stats().waiting();
        }
        assertThat(completed).as("completed").isEqualTo(limit);
        assertThat(waiting).as("still waiting").isEqualTo(1_000 - limit);
        assertThat(fixture.events.all(JobEvent.Started.class)).hasSize(limit);
    }
}
