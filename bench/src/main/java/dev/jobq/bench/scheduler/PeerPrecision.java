package dev.jobq.bench.scheduler;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.jobq.JobQueue;
import dev.jobq.bench.memory.PeerDrain;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.PeerVersions;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.JobScheduler;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.TriggerBuilder;

/**
 * P7, a peers workload (not part of the table's targets): B7's question — how close to its instant
 * does a one-time job start — asked of jobq and of the peers the issue measured, in the same window
 * of the same fork: jobq (the {@code jdbc} scheduler on durable PostgreSQL, a started memory queue,
 * as in B7), db-scheduler on the same server polling every second (the figure: "with a 1 s
 * poll up to 1 s late"), Quartz with its in-memory store, and JobRunr with its in-memory storage
 * (the figure: "up to 200 ms early"), each at its defaults otherwise. Each system gets its
 * own {@code N} random instants over the window (JobRunr {@code N / 10}), in whole milliseconds
 * (Quartz's resolution), and each job's lateness is measured from its instant to its handler's
 * first line. The figure is jobq's, its "ceiling" the peer's.
 */
public final class PeerPrecision implements Workload {

    private static final String TYPE = "bench:due";
    private static final String TASK = "bench-due";
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final int THREADS = PeerDrain.THREADS;
    private static final int WARM_UP_JOBS = 20;
    /** Beyond the window: JobRunr's server polls every 15 s by default. */
    private static final Duration TAIL = Duration.ofSeconds(60);
    /**
     * JobRunr gets a tenth of the jobs: its in-memory storage runs one or two jobs a second here (P1),
     * so two hundred in twenty seconds would measure its backlog, not its timing.
     */
    private static final int JOBRUNR_SHARE = 10;

    private enum Peer {
        DB_SCHEDULER("db-scheduler", "db-scheduler " + PeerVersions.of("db-scheduler")
                + " on the same PostgreSQL, polling every " + POLL.toSeconds() + " s, 10 threads (its default)"),
        QUARTZ("Quartz", "Quartz " + PeerVersions.of("quartz") + ", RAMJobStore, "
                + "SimpleThreadPool of " + THREADS + " threads, a trigger per job starting at its instant"),
        JOBRUNR("JobRunr", "JobRunr " + PeerVersions.of("jobrunr") + ", InMemoryStorageProvider, "
                + "a BackgroundJobServer of " + THREADS + " workers, poll interval at its default, a job "
                + "scheduled at each instant (a tenth as many jobs)");

        final String label;
        final String description;

        Peer(String label, String description) {
            this.label = label;
            this.description = description;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Override
    public String id() {
        return "P7";
    }

    @Override
    public String title() {
        return "scheduler precision beside db-scheduler, Quartz and JobRunr";
    }

    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        List<Metric> metrics = new ArrayList<>();
        for (Peer peer : Peer.values()) {
            String vs = ": jobq vs " + peer.label;
            String of = " in the same window as jobq's (each system its own instants)";
            metrics.add(new Metric(peer.key() + "-p99", "due → handler start, p99" + vs, Unit.MILLISECONDS,
                    peer.description + of, Target.none()));
            metrics.add(new Metric(peer.key() + "-max", "due → handler start, max" + vs, Unit.MILLISECONDS,
                    peer.description + of, Target.none()));
            metrics.add(Metric.withoutRatio(peer.key() + "-min", "due → handler start, min (negative: early)" + vs,
                    Unit.MILLISECONDS, peer.description + of));
        }
        return metrics;
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int jobs = scale.pick(50, 200);
        Duration window = scale.pick(Duration.ofSeconds(5), Duration.ofSeconds(20));
        Duration lead = scale.pick(Duration.ofSeconds(2), Duration.ofSeconds(4));
        try (var postgres = DurablePostgres.start();
             var started = new Systems(postgres)) {
            System.out.println("PostgreSQL for P7: " + postgres.durability());
            started.await(started.scheduleAll(Instant.now().plusMillis(500), Duration.ofMillis(500), WARM_UP_JOBS,
                    new Random(0), false), probe, "warm-up", TAIL);

            var random = new Random(probe.run());
            Instant from = Instant.now().plus(lead);
            Map<String, Long> dueById = started.scheduleAll(from, window, jobs, random, true);
            started.await(dueById, probe, "waiting for " + dueById.size() + " jobs due over " + window,
                    window.plus(lead).plus(TAIL));
            Map<String, List<Long>> lateness = started.lateness(dueById);
            List<Long> jobq = lateness.get("jobq");
            for (Peer peer : Peer.values()) {
                List<Long> theirs = lateness.get(peer.key());
                probe.record(peer.key() + "-p99", Lateness.millis(jobq, 99), Lateness.millis(theirs, 99));
                probe.record(peer.key() + "-max", Lateness.millis(jobq, 100), Lateness.millis(theirs, 100));
                probe.record(peer.key() + "-min", Lateness.millis(jobq, 0), Lateness.millis(theirs, 0));
            }
        }
    }

    /**
     * jobq and the three peers, started, each with a handler that notes when it started which job.
     * Job ids are "{system}:{n}".
     */
    static final class Systems implements AutoCloseable {
        private final JobQueue jobq;
        private final DbSchedulerTable dbSchedulerTable;
        private final Scheduler dbScheduler;
        private final OneTimeTask<Void> dbTask;
        private final org.quartz.Scheduler quartz;
        private final JobScheduler jobRunr;
        private int next;

        Systems(DurablePostgres postgres) throws Exception {
            Started.moments.clear();
            jobq = SchedulerQueues.firingAndRunning(postgres.newDatabase("jobq_p7"), event -> { });
            jobq.registerJobHandler(TYPE, String.class, (job, context) -> Started.now(job.payload()));
            jobq.start();

            dbSchedulerTable = DbSchedulerTable.create(postgres.newDatabase("db_scheduler_p7"));
            dbTask = Tasks.oneTime(TASK).execute((instance, context) -> Started.now(instance.getId()));
            dbScheduler = Scheduler.create(dbSchedulerTable.pool(), dbTask).pollingInterval(POLL).build();
            dbScheduler.start();

            quartz = PeerDrain.quartzInMemory();
            quartz.start();

            jobRunr = PeerDrain.jobRunrInMemory(true);
        }

        /**
         * {@code jobs} jobs per system (JobRunr a tenth as many, see {@link #JOBRUNR_SHARE}) at random
         * whole-millisecond instants in {@code [from, from + window)}. With {@code measured} false,
         * JobRunr gets none (a warm-up: its lateness is its poll's, not its code's). With it true, fails
         * when a job was scheduled only after its instant (the lead used up by the commits of the jobs
         * scheduled before it): its lateness would measure the scheduling, not its system's firing.
         * Returns each job's instant in nanoseconds since the epoch, by id.
         */
        Map<String, Long> scheduleAll(Instant from, Duration window, int jobs, Random random, boolean measured)
                throws Exception {
            Map<String, Long> dueById = new ConcurrentHashMap<>();
            Map<String, Integer> counts = new LinkedHashMap<>();
            counts.put("jobq", jobs);
            for (Peer peer : Peer.values()) {
                if (peer != Peer.JOBRUNR) {
                    counts.put(peer.key(), jobs);
                } else if (measured) {
                    counts.put(peer.key(), Math.max(5, jobs / JOBRUNR_SHARE));
                }
            }
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            long began = System.nanoTime();
            for (var system : counts.entrySet()) {
                for (int i = 0; i < system.getValue(); i++) {
                    Instant at = from.plusNanos((long) (random.nextDouble() * window.toNanos()))
                            .truncatedTo(ChronoUnit.MILLIS);
                    String id = system.getKey() + ":" + next++;
                    schedule(system.getKey(), id, at);
                    dueById.put(id, Lateness.nanos(at));
                    Instant scheduled = Instant.now();
                    if (measured && scheduled.isAfter(at)) {
                        throw new IllegalStateException("P7: job " + id + " due at " + at + " was scheduled only at "
                                + scheduled + ", after its instant (" + dueById.size() + " of " + total
                                + " jobs scheduled in " + Duration.ofNanos(System.nanoTime() - began).toMillis()
                                + " ms): its lateness would measure the scheduling, not " + system.getKey()
                                + "'s firing; the machine is too busy for P7's lead, run P7 again when it is quieter");
                    }
                }
            }
            return dueById;
        }

        private void schedule(String system, String id, Instant at) throws Exception {
            switch (system) {
                case "jobq" -> jobq.scheduler().schedule(TYPE, id, at);
                case "db_scheduler" -> dbScheduler.schedule(dbTask.instance(id), at);
                case "quartz" -> quartz.scheduleJob(JobBuilder.newJob(QuartzStart.class).withIdentity(id)
                                .usingJobData("id", id).build(),
                        TriggerBuilder.newTrigger().withIdentity(id).startAt(Date.from(at)).build());
                case "jobrunr" -> jobRunr.schedule(at, () -> Started.now(id));
                default -> throw new IllegalArgumentException(system);
            }
        }

        /** Waits until every job of {@code dueById} started, at most {@code limit}. */
        void await(Map<String, Long> dueById, Probe probe, String phase, Duration limit) throws InterruptedException {
            try (var ignored = probe.phase(phase, dueById.size(),
                    () -> dueById.keySet().stream().filter(Started.moments::containsKey).count())) {
                long deadline = System.nanoTime() + limit.toNanos();
                while (!Started.moments.keySet().containsAll(dueById.keySet()) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
        }

        /** Lateness in nanoseconds per system ("jobq", "db_scheduler", ...); fails when a job did not run. */
        Map<String, List<Long>> lateness(Map<String, Long> dueById) {
            Map<String, List<Long>> bySystem = new HashMap<>();
            dueById.forEach((id, due) -> {
                Long at = Started.moments.get(id);
                if (at == null) {
                    throw new IllegalStateException("job " + id + " due at " + Instant.ofEpochSecond(0, due)
                            + " did not start within the window and " + TAIL);
                }
                bySystem.computeIfAbsent(id.substring(0, id.indexOf(':')), k -> new ArrayList<>()).add(at - due);
            });
            return bySystem;
        }

        @Override
        public void close() throws Exception {
            jobq.close();
            dbScheduler.stop();
            dbSchedulerTable.close();
            quartz.shutdown(false);
            JobRunr.getBackgroundJobServer().stop();
            JobRunr.destroy();
        }
    }

    /** When each job's handler started, in nanoseconds since the epoch; static, as JobRunr calls a static method. */
    public static final class Started {
        static final Map<String, Long> moments = new ConcurrentHashMap<>();

        private Started() {
        }

        public static void now(String id) {
            moments.putIfAbsent(id, Lateness.now());
        }
    }

    /** Quartz makes a job object per run with its public no-argument constructor. */
    public static final class QuartzStart implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            Started.now(context.getMergedJobDataMap().getString("id"));
        }
    }
}
