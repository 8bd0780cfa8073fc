package dev.jobq.bench.sqs;

import dev.jobq.JobQueue;
import dev.jobq.bench.memory.SamplePayload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Not a workload of the table: drains jobs through {@code provider-sqs} from an ElasticMQ server in
 * this JVM reached over a {@link DelayingProxy}, so that every SQS call costs a round trip as over
 * a network, which the in-JVM server of B5 does not. It shows what the worker's own round trips cost
 * (docs/benchmarks.md, Phase 4). Each round fills a fresh queue directly, then times a started
 * queue until every job completed.
 *
 * <pre>java -cp bench/target/jobq-bench.jar dev.jobq.bench.sqs.LatencyDrain JOBS ONE_WAY_MS CONCURRENCY ROUNDS</pre>
 */
public final class LatencyDrain {

    private LatencyDrain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: LatencyDrain JOBS ONE_WAY_MS CONCURRENCY ROUNDS (e.g. 2000 5 10 3)");
            System.exit(2);
        }
        int jobs = Integer.parseInt(args[0]);
        Duration oneWay = Duration.ofMillis(Long.parseLong(args[1]));
        int concurrency = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        try (var server = ElasticMqServer.start(); var proxy = DelayingProxy.start(server.port(), oneWay)) {
            for (int round = 1; round <= rounds; round++) {
                String url = server.newQueue("latency");
                fill(server.providerSettings(url), jobs);
                Map<String, Object> viaProxy = server.providerSettings(url);
                viaProxy.put("endpoint", "http://127.0.0.1:" + proxy.port());
                double seconds = drain(viaProxy, jobs, concurrency);
                System.out.printf("round %d: %,d jobs in %.2f s = %,.0f jobs/s (%d ms each way, concurrency %d)%n",
                        round, jobs, seconds, jobs / seconds, oneWay.toMillis(), concurrency);
            }
        }
        System.exit(0);
    }

    private static void fill(Map<String, Object> settings, int jobs) {
        try (JobQueue queue = JobQueue.builder().environment(Map.of()).provider("sqs", settings).build()) {
            List<SamplePayload> payloads = new ArrayList<>(jobs);
            for (int i = 0; i < jobs; i++) {
                payloads.add(SamplePayload.forJob(i));
            }
            queue.enqueueAll(SqsThroughput.TYPE, payloads);
        }
    }

    private static double drain(Map<String, Object> settings, int jobs, int concurrency) throws InterruptedException {
        var done = new CountDownLatch(jobs);
        try (JobQueue queue = SqsThroughput.noOpQueue(settings, concurrency, done::countDown)) {
            long start = System.nanoTime();
            queue.start();
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException((jobs - done.getCount()) + " of " + jobs + " jobs ran in 5 minutes");
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
