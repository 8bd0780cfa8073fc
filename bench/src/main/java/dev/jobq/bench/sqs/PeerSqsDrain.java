package dev.jobq.bench.sqs;

import dev.jobq.JobQueue;
import dev.jobq.bench.runner.Countdown;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.PeerVersions;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import io.awspring.cloud.sqs.listener.SqsMessageListenerContainer;
import io.awspring.cloud.sqs.listener.acknowledgement.AcknowledgementResultCallback;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.messaging.Message;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * P5, a peers workload (not part of the table's targets): B5's drain — a queue on the ElasticMQ
 * server in the fork, filled before the clock starts with the very messages B5's raw loop sends —
 * through jobq's {@code sqs} provider and through Spring Cloud AWS's SQS listener container, what
 * Java teams on Spring commonly take for SQS. Both at concurrency {@value SqsThroughput#CONCURRENCY}
 * (Spring's default {@code maxConcurrentMessages}, with its default ten messages per poll) and at
 * {@value SqsThroughput#WIDE}. Spring's other settings at their defaults (acknowledgements deleted in
 * batches in the background) but its long poll, 1 s instead of 10, so that stopping a pass's
 * container does not wait out a poll (no poll waits while the queue holds messages); on the SDK's
 * asynchronous client with its default HTTP client (Netty), as Spring Cloud AWS takes one. Each side
 * is timed from its start until every message's deletion was answered: jobq's {@code Completed}
 * events come after the acknowledgement, Spring's acknowledgement callback after its
 * {@code DeleteMessageBatch}. The figure is jobq's rate, its "ceiling" Spring's.
 */
public final class PeerSqsDrain implements Workload {

    private static final Duration LIMIT = Duration.ofMinutes(3);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    @Override
    public String id() {
        return "P5";
    }

    @Override
    public String title() {
        return "SQS drain beside Spring Cloud AWS";
    }

    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        return List.of(metric(SqsThroughput.CONCURRENCY), metric(SqsThroughput.WIDE));
    }

    private static Metric metric(int concurrency) {
        return new Metric("spring-" + concurrency, String.format(Locale.ROOT, "drain of %,d (quick %,d) at "
                        + "concurrency %d: jobq vs Spring Cloud AWS", jobs(Scale.FULL), jobs(Scale.QUICK), concurrency),
                Unit.JOBS_PER_SECOND, "Spring Cloud AWS " + PeerVersions.of("spring-cloud-aws") + ", an "
                + "SqsMessageListenerContainer of maxConcurrentMessages " + concurrency + " on the same server, "
                + "other options at their defaults (10 messages per poll, acknowledgements batched in the "
                + "background) but a long poll of 1 s, SqsAsyncClient on Netty; timed from start() until the last "
                + "deletion was answered",
                Target.none());
    }

    private static int jobs(Scale scale) {
        return scale.pick(1_000, 20_000);
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int jobs = jobs(scale);
        List<SqsMessages.Body> bodies = SqsMessages.of(SqsThroughput.TYPE, jobs);
        try (var server = ElasticMqServer.start(); SqsClient raw = server.newClient();
             SqsAsyncClient async = server.newAsyncClient()) {
            var filler = new RawSqsLoop(raw, SqsThroughput.CONCURRENCY);
            // The server (and the SDK) get faster for tens of thousands of messages: warm it up as B5 does.
            filler.drain(filled(server, filler, bodies), jobs, 30, new Countdown(jobs));
            // Each system's code warmed up once, at the lower concurrency: the same paths on fewer threads.
            springDrain(server, async, filler, bodies, SqsThroughput.CONCURRENCY, probe, "warm-up Spring Cloud AWS");
            jobqDrain(server, filler, bodies, SqsThroughput.CONCURRENCY, probe, "warm-up jobq");
            for (int concurrency : List.of(SqsThroughput.CONCURRENCY, SqsThroughput.WIDE)) {
                String at = ", concurrency " + concurrency;
                Sides<Double> sides = probe.sideBySide(
                        () -> springDrain(server, async, filler, bodies, concurrency, probe, "Spring Cloud AWS" + at),
                        () -> jobqDrain(server, filler, bodies, concurrency, probe, "jobq" + at));
                probe.record("spring-" + concurrency, sides.subject(), sides.ceiling());
            }
        }
    }

    /** A fresh queue holding every message, sent by the raw loop; returns its URL. */
    private static String filled(ElasticMqServer server, RawSqsLoop filler, List<SqsMessages.Body> bodies)
            throws InterruptedException {
        String url = server.newQueue("peer");
        filler.sendBatches(url, bodies, new AtomicInteger());
        return url;
    }

    private static double jobqDrain(ElasticMqServer server, RawSqsLoop filler, List<SqsMessages.Body> bodies,
                                    int concurrency, Probe probe, String phase) throws InterruptedException {
        String url = filled(server, filler, bodies);
        var done = new Countdown(bodies.size());
        try (JobQueue queue = SqsThroughput.noOpQueue(server.providerSettings(url), concurrency, done::tick);
             var ignored = probe.phase(phase + ": drain", bodies.size(), done::done)) {
            long start = System.nanoTime();
            queue.start();
            done.await(LIMIT);
            return bodies.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static double springDrain(ElasticMqServer server, SqsAsyncClient async, RawSqsLoop filler,
                                      List<SqsMessages.Body> bodies, int concurrency, Probe probe, String phase)
            throws InterruptedException {
        String url = filled(server, filler, bodies);
        var done = new Countdown(bodies.size());
        SqsMessageListenerContainer<Object> container = SqsMessageListenerContainer.builder()
                .sqsAsyncClient(async)
                .queueNames(url.substring(url.lastIndexOf('/') + 1))
                // A long poll of 1 s instead of 10: stop() waits for the poll in flight, and no poll
                // waits while the queue holds messages.
                .configure(options -> options.maxConcurrentMessages(concurrency).pollTimeout(POLL_TIMEOUT))
                .messageListener(message -> { })
                .acknowledgementResultCallback(new AcknowledgementResultCallback<>() {
                    @Override
                    public void onSuccess(Collection<Message<Object>> messages) {
                        for (int i = 0; i < messages.size(); i++) {
                            done.tick();
                        }
                    }
                })
                .build();
        try (var ignored = probe.phase(phase + ": drain", bodies.size(), done::done)) {
            long start = System.nanoTime();
            container.start();
            done.await(LIMIT);
            return bodies.size() / ((System.nanoTime() - start) / 1e9);
        } finally {
            container.stop();
        }
    }
}
