package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobQueue;
import dev.jobq.cli.process.handlers.RecordModule;
import dev.jobq.cli.process.handlers.RunLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code jobq run} processes drain one SQS queue (ElasticMQ, {@link LocalSqsServer}) that an
 * application fills through jobq's SQS provider, and every job is run: the app-enqueues,
 * workers-work flow of the README at scale.
 */
class SqsDrainIT {

    private static final int JOBS = 2_000;
    private static final int PRODUCERS = 20;
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration DRAIN = Duration.ofMinutes(4);
    private static final Duration EXIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final LocalSqsServer SQS = new LocalSqsServer();

    @TempDir
    Path dir;

    @Test
    @DisplayName("two workers drain 2,000 jobs enqueued by the application: each runs, none twice, none dead")
    void twoWorkersDrainTheQueue() throws Exception {
        SqsQueue queue = SqsQueue.create(SQS.get(), "drain");
        Path handlers = TestHandlers.directoryIn(dir);
        var journal = new RunJournal(dir);
        // a 30 s lease against handlers of 5 ms: with heartbeats and nobody killed, no lease ends early
        Path config = queue.config().provider("visibilityTimeout", "30s").worker("concurrency", 8)
                .writeTo(dir.resolve("jobq.yaml"));

        try (JobqProcess a = worker("a", config, handlers, journal);
             JobqProcess b = worker("b", config, handlers, journal)) {
            a.stdout().awaitLine("jobq run: working", START);
            b.stdout().awaitLine("jobq run: working", START);

            long started = System.nanoTime();
            List<String> jobIds = enqueue(queue, JOBS);
            double enqueued = (System.nanoTime() - started) / 1e9;
            assertThat(jobIds).doesNotHaveDuplicates().hasSize(JOBS);

            journal.awaitJobs(jobIds, DRAIN);
            double drained = (System.nanoTime() - started) / 1e9;
            // every run journalled; the last acknowledgements may still be on their way
            queue.awaitEmpty(START);
            assertThat(JobqProcess.terminateAll(EXIT, a, b)).containsExactly(0, 0);

            var byJob = journal.byJob();
            int duplicates = RunJournal.duplicates(byJob);
            long onA = journal.count("a");
            long onB = journal.count("b");
            System.out.printf("MEASURE drain: %d jobs enqueued in %.1f s by %d producer threads; all run after %.1f s; "
                    + "worker a ran %d, worker b ran %d; duplicates %d%n", JOBS, enqueued, PRODUCERS, drained, onA, onB,
                    duplicates);

            assertThat(byJob.keySet()).as("only the enqueued jobs ran").containsExactlyInAnyOrderElementsOf(jobIds);
            assertThat(onA).as("worker a took part").isPositive();
            assertThat(onB).as("worker b took part").isPositive();
            // At least once allows duplicates, but only when a lease ends before the job is settled (a crash, a
            // stall past the visibility timeout); heartbeats keep every lease here, so there is none to count.
            assertThat(duplicates).as("jobs run more than once").isZero();
            assertThat(journal.runs()).allSatisfy(run -> assertThat(run.attempt()).isEqualTo(1));
            assertThat(a.stderr().linesMatching(l -> l.contains("outcome=completed")).size()
                    + b.stderr().linesMatching(l -> l.contains("outcome=completed")).size())
                    .as("outcome lines").isEqualTo(JOBS);
        }
        assertThat(queue.messagesLeft()).isZero();
        assertThat(queue.deadLetters()).isZero();
    }

    private static JobqProcess worker(String name, Path config, Path handlers, RunJournal journal) {
        return JobqProcess.jar().directory(config.getParent())
                .env(RunLog.FILE_ENV, journal.fileFor(name).toString())
                .args("run", "--config", config.toString(), "--handlers", handlers.toString()).start();
    }

    /** Enqueues {@code jobs} test:record jobs from {@value #PRODUCERS} threads, as a busy application would. */
    private static List<String> enqueue(SqsQueue queue, int jobs) throws InterruptedException, ExecutionException {
        try (JobQueue producer = queue.producer(); var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> batches = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int share = jobs / PRODUCERS + (p < jobs % PRODUCERS ? 1 : 0);
                batches.add(threads.submit(() -> IntStream.range(0, share)
                        .mapToObj(i -> producer.enqueue(RecordModule.TYPE, Map.of("n", i))).toList()));
            }
            List<String> ids = new ArrayList<>();
            for (Future<List<String>> batch : batches) {
                ids.addAll(batch.get());
            }
            return ids;
        }
    }
}
