package dev.jobq.bench.scheduler;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.jobq.JobQueue;
import dev.jobq.bench.memory.SamplePayload;
import dev.jobq.bench.runner.Countdown;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.PeerVersions;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * P6, a peers workload (not part of the table's targets): one-time jobs all due now in a durable
 * PostgreSQL, run to their handlers, through jobq (the {@code jdbc} scheduler handing them to a
 * started memory queue of the default concurrency, all at their defaults) and through db-scheduler,
 * the peer the issue measured at about 5,400 jobs/s here, in its own {@code scheduled_tasks} table on
 * the same server: once with its defaults and once with the lock-and-fetch polling its
 * documentation recommends for throughput on PostgreSQL. Timed from start() until the last handler
 * ran. The figure is jobq's rate, its "ceiling" the peer's.
 */
public final class PeerFireRate implements Workload {

    /** B6's job type: the rows {@link FireRate#learnt} makes are of it. */
    private static final String TYPE = FireRate.TYPE;
    private static final String TASK = "bench-noop";
    private static final Duration LIMIT = Duration.ofMinutes(3);
    private static final double LOWER_LIMIT = 0.5;
    private static final double UPPER_LIMIT = 1.0;

    @Override
    public String id() {
        return "P6";
    }

    @Override
    public String title() {
        return "scheduler fire rate beside db-scheduler";
    }

    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        String rows = String.format(Locale.ROOT, "%,d (quick %,d) due on durable PostgreSQL, until their handlers "
                + "ran: jobq vs db-scheduler", due(Scale.FULL), due(Scale.QUICK));
        String peer = "db-scheduler " + PeerVersions.of("db-scheduler") + " on the same "
                + "server, a one-time task's instances all due, in its own scheduled_tasks table (its PostgreSQL "
                + "schema), a HikariCP pool of " + DbSchedulerTable.POOL_SIZE + " connections; timed from start() "
                + "until the last instance ran";
        return List.of(
                new Metric("defaults", rows + " (its defaults)", Unit.JOBS_PER_SECOND,
                        peer + "; its defaults (10 threads, fetch-and-lock-on-execute polling)", Target.none()),
                new Metric("lock-and-fetch", rows + " (lock-and-fetch)", Unit.JOBS_PER_SECOND,
                        peer + "; 10 threads, pollUsingLockAndFetch(" + LOWER_LIMIT + ", " + UPPER_LIMIT + ")",
                        Target.none()));
    }

    private static int due(Scale scale) {
        return scale.pick(3_000, 20_000);
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int due = due(scale);
        // A warm-up pass per system as large as a timed one, as B6 warms up (Phase 12): after 2,000
        // rows both ran their timed passes slower, jobq by a quarter to a third, db-scheduler by up
        // to a third (docs/benchmarks.md, Peers).
        int warmUp = due;
        try (var postgres = DurablePostgres.start()) {
            System.out.println("PostgreSQL for P6: " + postgres.durability());
            ScheduledTable jobq = FireRate.learnt(postgres.newDatabase("jobq_peer"));
            try (var peer = DbSchedulerTable.create(postgres.newDatabase("db_scheduler_peer"))) {
                jobq(jobq, warmUp, probe, "warm-up jobq");
                dbScheduler(peer, warmUp, false, probe, "warm-up db-scheduler");
                Sides<Double> defaults = probe.sideBySide(
                        () -> dbScheduler(peer, due, false, probe, "db-scheduler, its defaults"),
                        () -> jobq(jobq, due, probe, "jobq"));
                Sides<Double> lockAndFetch = probe.sideBySide(
                        () -> dbScheduler(peer, due, true, probe, "db-scheduler, lock-and-fetch"),
                        () -> jobq(jobq, due, probe, "jobq"));
                probe.record("defaults", defaults.subject(), defaults.ceiling());
                probe.record("lock-and-fetch", lockAndFetch.subject(), lockAndFetch.ceiling());
            }
        }
    }

    /** jobq: {@code due} rows due, then a started queue's start() until the last handler ran; per second. */
    private static double jobq(ScheduledTable table, int due, Probe probe, String phase) throws Exception {
        table.clear();
        table.addDue(due, Instant.now().minusSeconds(1));
        table.settle();
        var ran = new Countdown(due);
        try (JobQueue queue = SchedulerQueues.firingAndRunning(table.url(), event -> { })) {
            queue.registerJobHandler(TYPE, SamplePayload.class, (job, context) -> ran.tick());
            try (var ignored = probe.phase(phase, due, ran::done)) {
                long start = System.nanoTime();
                queue.start();
                ran.await(LIMIT);
                return due / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    /**
     * db-scheduler: {@code due} instances due a second ago in its table, then the scheduler's start()
     * until the last one ran; per second.
     */
    private static double dbScheduler(DbSchedulerTable table, int due, boolean lockAndFetch, Probe probe,
                                      String phase) throws Exception {
        table.fillDue(TASK, due);
        var ran = new Countdown(due);
        OneTimeTask<Void> task = Tasks.oneTime(TASK).execute((instance, context) -> ran.tick());
        SchedulerBuilder builder = Scheduler.create(table.pool(), task);
        if (lockAndFetch) {
            builder.pollUsingLockAndFetch(LOWER_LIMIT, UPPER_LIMIT);
        }
        Scheduler scheduler = builder.build();
        try (var ignored = probe.phase(phase, due, ran::done)) {
            long start = System.nanoTime();
            scheduler.start();
            ran.await(LIMIT);
            return due / ((System.nanoTime() - start) / 1e9);
        } finally {
            scheduler.stop();
        }
    }
}
