package dev.jobq.bench.scheduler;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import dev.jobq.memory.MemoryProviderFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * B7: how close to its instant the JDBC scheduler hands a job on. {@code N} one-time jobs due at
 * random instants (to the nanosecond) over a window are scheduled through
 * {@code JobQueue.scheduler().schedule(...)} on PostgreSQL run durably, with a started queue on the
 * memory provider. Each job's lateness is measured from its instant to the moment the provider
 * accepted it (the queue's {@code Enqueued} event, published on the firing thread right after the
 * provider's enqueue), and to its handler's first line. The least lateness, which must not be
 * negative (a job handed on early), is taken to the moment the provider's enqueue was called
 * ({@link StampingProvider}): the earliest the job can have been anyone's, so that a hand-on begun
 * before its instant shows however soon the provider accepted it. Ceiling, in the same window at the same instants: a {@link ScheduledThreadPoolExecutor},
 * what a JVM timer achieves on this machine at that moment.
 */
public final class FiringPrecision implements Workload {

    private static final String TYPE = "bench:due";

    private static final Duration DRAIN = Duration.ofSeconds(30);
    private static final int WARM_UP_JOBS = 20;

    /** The payload: the due instant, to the nanosecond. */
    public record Due(long epochSecond, int nano) {
        static Due of(Instant at) {
            return new Due(at.getEpochSecond(), at.getNano());
        }
    }

    @Override
    public String id() {
        return "B7";
    }

    @Override
    public String title() {
        return "scheduler precision";
    }

    /** One run in quick mode (a smoke run: each starts a server), three in full. */
    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        String timer = "a ScheduledThreadPoolExecutor firing at the same instants in the same window";
        return List.of(
                new Metric("p50", "due → provider, p50", Unit.MILLISECONDS, timer, Target.none()),
                new Metric("p99", "due → provider, p99", Unit.MILLISECONDS, timer, Target.atMost(50)),
                new Metric("max", "due → provider, max", Unit.MILLISECONDS, timer, Target.none()),
                // The timer's least lateness is a hair from zero, either side: a quotient of the two is noise.
                Metric.withoutRatio("min", "due → provider, min (negative: early)", Unit.MILLISECONDS, timer,
                        Target.atLeastInEveryRun(0)),
                new Metric("start-p99", "due → handler start, p99", Unit.MILLISECONDS, timer, Target.none()));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int jobs = scale.pick(50, 200);
        Duration window = scale.pick(Duration.ofSeconds(5), Duration.ofSeconds(20));
        // Between scheduling the first job and the window's start: scheduling takes a commit per job.
        Duration lead = scale.pick(Duration.ofSeconds(1), Duration.ofSeconds(3));
        try (var postgres = DurablePostgres.start()) {
            System.out.println("PostgreSQL for B7: " + postgres.durability());
            var moments = new Moments();
            var provider = new StampingProvider(MemoryProviderFactory.builder().build(), moments::enqueueCalled);
            try (JobQueue queue = SchedulerQueues.firingAndRunning(postgres.newDatabase("jobq_bench"), provider,
                    moments::onEvent)) {
                queue.registerJobHandler(TYPE, Due.class, (job, context) -> moments.started(job.id()));
                queue.start();
                List<Instant> warmUp = new ArrayList<>();
                for (int i = 0; i < WARM_UP_JOBS; i++) {
                    warmUp.add(Instant.now().plusMillis(500 + 10L * i));
                }
                moments.await(schedule(queue, warmUp, probe, "warm-up", false), probe, "warm-up", DRAIN);

                var random = new Random(probe.run());
                Instant from = Instant.now().plus(lead);
                List<Instant> instants = new ArrayList<>();
                for (int i = 0; i < jobs; i++) {
                    instants.add(from.plusNanos((long) (random.nextDouble() * window.toNanos())));
                }
                var timer = new ScheduledThreadPoolExecutor(1);
                List<Long> timerLateness = java.util.Collections.synchronizedList(new ArrayList<>());
                for (Instant at : instants) {
                    timer.schedule(() -> timerLateness.add(Lateness.now() - Lateness.nanos(at)),
                            Lateness.nanos(at) - Lateness.now(), TimeUnit.NANOSECONDS);
                }
                Map<String, Instant> dueById = schedule(queue, instants, probe, "scheduling " + jobs + " jobs");
                moments.await(dueById, probe, "waiting for " + jobs + " jobs due over " + window, window.plus(DRAIN));
                timer.shutdown();
                timer.awaitTermination(DRAIN.toSeconds(), TimeUnit.SECONDS);
                record(probe, moments, dueById, timerLateness);
            }
        }
    }

    /**
     * Schedules a job at each instant, the earliest first; returns their instants by id. Fails when a
     * job was scheduled only after its instant (the machine too slow for the lead): its lateness
     * would measure the scheduling, not the firing.
     */
    static Map<String, Instant> schedule(JobQueue queue, List<Instant> instants, Probe probe, String phase) {
        return schedule(queue, instants, probe, phase, true);
    }

    private static Map<String, Instant> schedule(JobQueue queue, List<Instant> instants, Probe probe, String phase,
                                                 boolean eachAhead) {
        Map<String, Instant> dueById = new ConcurrentHashMap<>();
        long began = System.nanoTime();
        try (var ignored = probe.phase(phase, instants.size(), dueById::size)) {
            for (Instant at : instants.stream().sorted().toList()) {
                String id = queue.scheduler().schedule(TYPE, Due.of(at), at);
                dueById.put(id, at);
                Instant scheduled = Instant.now();
                if (eachAhead && scheduled.isAfter(at)) {
                    throw new IllegalStateException("B7: job " + id + " due at " + at + " was scheduled only at "
                            + scheduled + ", after its instant (" + dueById.size() + " of " + instants.size()
                            + " jobs scheduled in " + Duration.ofNanos(System.nanoTime() - began).toMillis()
                            + " ms): its lateness would measure the scheduling, not the firing; the machine is too "
                            + "busy for B7's lead, run B7 again when it is quieter");
                }
            }
        }
        return dueById;
    }

    static void record(Probe probe, Moments moments, Map<String, Instant> dueById, List<Long> timer) {
        List<Long> toProvider = new ArrayList<>();
        List<Long> toEnqueueCall = new ArrayList<>();
        List<Long> toHandler = new ArrayList<>();
        dueById.forEach((id, at) -> {
            toProvider.add(moments.handedOn(id, at) - Lateness.nanos(at));
            toEnqueueCall.add(moments.enqueueCalled(id, at) - Lateness.nanos(at));
            toHandler.add(moments.started(id, at) - Lateness.nanos(at));
        });
        probe.record("p50", Lateness.millis(toProvider, 50), Lateness.millis(timer, 50));
        probe.record("p99", Lateness.millis(toProvider, 99), Lateness.millis(timer, 99));
        probe.record("max", Lateness.millis(toProvider, 100), Lateness.millis(timer, 100));
        probe.record("min", Lateness.millis(toEnqueueCall, 0), Lateness.millis(timer, 0));
        probe.record("start-p99", Lateness.millis(toHandler, 99), Lateness.millis(timer, 99));
    }

    /**
     * When the provider's enqueue was called for each job, when the provider had accepted it and when
     * its handler started, in nanoseconds since the epoch.
     */
    static final class Moments {
        private final Map<String, Long> enqueueCalled = new ConcurrentHashMap<>();
        private final Map<String, Long> handedOn = new ConcurrentHashMap<>();
        private final Map<String, Long> started = new ConcurrentHashMap<>();

        /** The first call only: an enqueue the provider refused and the scheduler made again is no later hand-on. */
        void enqueueCalled(String jobId) {
            enqueueCalled.putIfAbsent(jobId, Lateness.now());
        }

        long enqueueCalled(String jobId, Instant due) {
            Long at = enqueueCalled.get(jobId);
            if (at == null) {
                throw new IllegalStateException("job " + jobId + " due at " + due + " was never given to its queue's "
                        + "provider: the scheduler did not hand it on before the wait for it ended");
            }
            return at;
        }

        void onEvent(JobEvent event) {
            if (SchedulerQueues.handedOn(event) && event instanceof JobEvent.Enqueued enqueued) {
                handedOn.put(enqueued.jobId(), Lateness.now());
            }
        }

        void started(String jobId) {
            started.put(jobId, Lateness.now());
        }

        long handedOn(String jobId, Instant due) {
            Long at = handedOn.get(jobId);
            if (at == null) {
                throw new IllegalStateException("job " + jobId + " due at " + due + " never reached its queue's "
                        + "provider: the scheduler did not hand it on before the wait for it ended");
            }
            return at;
        }

        long started(String jobId, Instant due) {
            Long at = started.get(jobId);
            if (at == null || !handedOn.containsKey(jobId)) {
                throw new IllegalStateException("job " + jobId + " due at " + due + " did not run");
            }
            return at;
        }

        /** Waits until every job of {@code dueById} started, at most {@code limit}. */
        void await(Map<String, Instant> dueById, Probe probe, String phase, Duration limit) throws InterruptedException {
            try (var ignored = probe.phase(phase, dueById.size(),
                    () -> dueById.keySet().stream().filter(started::containsKey).count())) {
                long deadline = System.nanoTime() + limit.toNanos();
                while (!started.keySet().containsAll(dueById.keySet()) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
        }
    }
}
