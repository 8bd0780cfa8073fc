package dev.jobq.bench.sqs;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.bench.memory.SamplePayload;
import dev.jobq.bench.runner.Countdown;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Producers;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * B5: jobs through {@code provider-sqs} on an ElasticMQ server in the same JVM. jobq: {@code N}
 * jobs enqueued from {@value #CONCURRENCY} producer threads, each handing {@link JobQueue#enqueueAll}
 * ten jobs per call as the raw loop hands {@code SendMessageBatch} ten messages (and again with one
 * {@link JobQueue#enqueue} per job, which the provider batches across callers), then drained by a
 * started queue of concurrency {@value #CONCURRENCY} (long polls, real handlers binding a ~100-byte
 * payload, acknowledgements). Ceiling: the raw SDK on as many threads ({@link RawSqsLoop}):
 * {@code SendMessageBatch} of ten, then {@code ReceiveMessage} of ten and {@code DeleteMessageBatch}.
 * Each side gets a fresh queue. The raw side also drains an equal queue from one thread, which holds
 * ten messages at most, as jobq does at concurrency {@value #CONCURRENCY}: what jobq adds to the SDK
 * when both hold as many messages.
 * Also sends 2,000 messages (500 quick) one {@code SendMessage} each from as many threads, to show
 * what the provider's batching is worth; and runs jobq again with {@value #WIDE} producers and
 * concurrency {@value #WIDE}: the raw loop's ten threads hold up to a hundred messages at once (ten
 * each, sent or received in one call), while jobq never leases more jobs than it can run and enqueue
 * sends one job per call, so jobq needs {@value #WIDE} of either to have as many on the wire.
 */
public final class SqsThroughput implements Workload {

    static final int CONCURRENCY = 10;
    static final int WIDE = 100;
    /** Jobs per enqueueAll call: the raw loop's SendMessageBatch size. */
    static final int PER_CALL = 10;
    static final String TYPE = "bench:email";
    private static final Duration LIMIT = Duration.ofMinutes(3);

    @Override
    public String id() {
        return "B5";
    }

    @Override
    public String title() {
        return "SQS (ElasticMQ)";
    }

    /** One run in quick mode (a smoke run: each starts a server), three in full. */
    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        String raw = "the AWS SDK alone on " + CONCURRENCY + " threads: SendMessageBatch of 10, then ReceiveMessage "
                + "of 10 and DeleteMessageBatch";
        return List.of(
                new Metric("through", "enqueue then drain, concurrency " + CONCURRENCY + ", enqueueAll of " + PER_CALL,
                        Unit.JOBS_PER_SECOND, raw, Target.atLeastPercentOfCeiling(80)),
                new Metric("through-single", "enqueue then drain, concurrency " + CONCURRENCY + ", one job per call",
                        Unit.JOBS_PER_SECOND, raw, Target.none()),
                new Metric("through-wide", "enqueue then drain, " + WIDE + " producers, concurrency " + WIDE
                        + ", one job per call", Unit.JOBS_PER_SECOND, raw, Target.none()),
                new Metric("enqueue", "enqueue from " + CONCURRENCY + " threads, enqueueAll of " + PER_CALL,
                        Unit.JOBS_PER_SECOND, raw, Target.none()),
                new Metric("enqueue-single", "enqueue from " + CONCURRENCY + " threads, one job per call (batched by "
                        + "the provider)", Unit.JOBS_PER_SECOND, raw, Target.none()),
                new Metric("drain", "drain, concurrency " + CONCURRENCY, Unit.JOBS_PER_SECOND, raw, Target.none()),
                new Metric("drain-held", "drain, concurrency " + CONCURRENCY + ", vs as many messages in hand",
                        Unit.JOBS_PER_SECOND, "the AWS SDK alone on one thread: ReceiveMessage of 10, then "
                        + "DeleteMessageBatch (ten messages in hand at most, as jobq at concurrency " + CONCURRENCY + ")",
                        Target.none()),
                new Metric("unbatched", "enqueue from " + CONCURRENCY + " threads, one job per call, vs unbatched",
                        Unit.JOBS_PER_SECOND, "the AWS SDK alone on " + CONCURRENCY + " threads, one SendMessage "
                        + "per message", Target.none()));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int jobs = scale.pick(1_000, 20_000);
        int warmUp = jobs;
        int singly = scale.pick(500, 2_000);
        try (var server = ElasticMqServer.start(); SqsClient raw = server.newClient()) {
            var loop = new RawSqsLoop(raw, CONCURRENCY);
            var oneThread = new RawSqsLoop(raw, 1);
            rawPass(server, loop, loop, SqsMessages.of(TYPE, warmUp), probe, "warm-up raw SDK");
            jobqPass(server, warmUp, CONCURRENCY, PER_CALL, probe, "warm-up jobq");
            jobqPass(server, warmUp, CONCURRENCY, 1, probe, "warm-up jobq, one job per call");
            rawSingly(server, loop, SqsMessages.of(TYPE, singly / 4), probe, "warm-up raw SendMessage");
            List<SqsMessages.Body> bodies = SqsMessages.of(TYPE, jobs);
            Sides<List<Pass>> passes = probe.sideBySide(
                    () -> List.of(rawPass(server, loop, loop, bodies, probe, "raw SDK"),
                            rawPass(server, loop, oneThread, bodies, probe, "raw SDK, one receiving thread")),
                    () -> List.of(jobqPass(server, jobs, CONCURRENCY, PER_CALL, probe, "jobq"),
                            jobqPass(server, jobs, CONCURRENCY, 1, probe, "jobq, one job per call")));
            Pass wide = jobqPass(server, jobs, WIDE, 1, probe, "jobq, concurrency " + WIDE);
            double unbatched = rawSingly(server, loop, SqsMessages.of(TYPE, singly), probe, "raw SendMessage");
            Pass ceiling = passes.ceiling().get(0);
            Pass oneReceiver = passes.ceiling().get(1);
            Pass bulk = passes.subject().get(0);
            Pass single = passes.subject().get(1);
            probe.record("through", bulk.through(), ceiling.through());
            probe.record("through-single", single.through(), ceiling.through());
            probe.record("through-wide", wide.through(), ceiling.through());
            probe.record("enqueue", bulk.enqueue(), ceiling.enqueue());
            probe.record("enqueue-single", single.enqueue(), ceiling.enqueue());
            probe.record("drain", bulk.drain(), ceiling.drain());
            probe.record("drain-held", bulk.drain(), oneReceiver.drain());
            probe.record("unbatched", single.enqueue(), unbatched);
        }
    }

    /** One side's rates: sending alone, draining alone, and the jobs over both times together. */
    record Pass(double enqueue, double drain, double through) {
        static Pass of(int jobs, double enqueuePerSecond, double drainPerSecond) {
            return new Pass(enqueuePerSecond, drainPerSecond, jobs / (jobs / enqueuePerSecond + jobs / drainPerSecond));
        }
    }

    /** The raw SDK's side: {@code senders} fill a fresh queue, then {@code receivers} drain it. */
    private static Pass rawPass(ElasticMqServer server, RawSqsLoop senders, RawSqsLoop receivers,
                                List<SqsMessages.Body> bodies, Probe probe, String phase) throws InterruptedException {
        String url = server.newQueue("raw");
        var sent = new AtomicInteger();
        double enqueue;
        try (var ignored = probe.phase(phase + ": SendMessageBatch", bodies.size(), sent::get)) {
            enqueue = senders.sendBatches(url, bodies, sent);
        }
        var deleted = new Countdown(bodies.size());
        double drain;
        try (var ignored = probe.phase(phase + ": receive and DeleteMessageBatch", bodies.size(), deleted::done)) {
            drain = receivers.drain(url, bodies.size(), 30, deleted);
        }
        return Pass.of(bodies.size(), enqueue, drain);
    }

    private static double rawSingly(ElasticMqServer server, RawSqsLoop loop, List<SqsMessages.Body> bodies,
                                    Probe probe, String phase) throws InterruptedException {
        String url = server.newQueue("raw-single");
        var sent = new AtomicInteger();
        try (var ignored = probe.phase(phase, bodies.size(), sent::get)) {
            return loop.sendSingly(url, bodies, sent);
        }
    }

    /**
     * A queue on SQS whose handler of the bench's job type does nothing; {@code completed} runs for
     * every {@code Completed} event. Not started.
     */
    static JobQueue noOpQueue(Map<String, Object> settings, int concurrency, Runnable completed) {
        JobQueue queue = JobQueue.builder().environment(Map.of()).provider("sqs", settings).concurrency(concurrency)
                .build();
        queue.registerJobHandler(TYPE, SamplePayload.class, (job, context) -> { });
        queue.addListener(event -> {
            if (event instanceof JobEvent.Completed) {
                completed.run();
            }
        });
        return queue;
    }

    /** jobq's side: {@code perCall} jobs per enqueue call (1: {@link JobQueue#enqueue}, more: {@link JobQueue#enqueueAll}). */
    private static Pass jobqPass(ElasticMqServer server, int jobs, int concurrency, int perCall, Probe probe,
                                 String phase) throws InterruptedException {
        Map<String, Object> settings = server.providerSettings(server.newQueue("jobq"));
        var done = new Countdown(jobs);
        try (JobQueue queue = noOpQueue(settings, concurrency, done::tick)) {
            var producers = new Producers(concurrency);
            double enqueue;
            try (var ignored = probe.phase(phase + ": enqueue", jobs, () -> producers.sent() * perCall)) {
                enqueue = perCall * producers.run(jobs / perCall, call -> {
                    if (perCall == 1) {
                        queue.enqueue(TYPE, SamplePayload.forJob(call));
                    } else {
                        List<SamplePayload> payloads = new ArrayList<>(perCall);
                        for (int i = call * perCall; i < (call + 1) * perCall; i++) {
                            payloads.add(SamplePayload.forJob(i));
                        }
                        queue.enqueueAll(TYPE, payloads);
                    }
                });
            }
            double drain;
            try (var ignored = probe.phase(phase + ": drain", jobs, done::done)) {
                long start = System.nanoTime();
                queue.start();
                done.await(LIMIT);
                drain = jobs / ((System.nanoTime() - start) / 1e9);
            }
            return Pass.of(jobs, enqueue, drain);
        }
    }
}
