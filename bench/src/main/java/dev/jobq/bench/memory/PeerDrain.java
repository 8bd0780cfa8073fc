package dev.jobq.bench.memory;

import dev.jobq.bench.memory.MemoryDrain.Drain;
import dev.jobq.bench.runner.Countdown;
import dev.jobq.bench.runner.Heap;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.PeerVersions;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.InMemoryStorageProvider;
import org.jspecify.annotations.Nullable;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * P1, a peers workload (not part of the table's targets): B1's shape — a backlog of no-op jobs, all
 * in place before the clock starts, drained with five threads — through jobq's memory queue and
 * through the in-memory stores of the peers the issue measured: Quartz's {@code RAMJobStore} and
 * JobRunr's {@code InMemoryStorageProvider}. Each peer is run as its documentation sets it up, with
 * five worker threads (jobq's default concurrency) and its other settings at their defaults; jobq
 * drains as many jobs as the peer beside it, in the same fork. The figure is jobq's rate, its
 * "ceiling" the peer's, so the ratio says how many times the peer's rate jobq drains.
 */
public final class PeerDrain implements Workload {

    public static final int THREADS = MemoryDrain.CONCURRENCY;

    @Override
    public String id() {
        return "P1";
    }

    @Override
    public String title() {
        return "memory drain beside Quartz and JobRunr";
    }

    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric("quartz", String.format(Locale.ROOT, "drain of %,d (quick %,d), ", quartzJobs(Scale.FULL),
                        quartzJobs(Scale.QUICK)) + THREADS + " threads: jobq vs Quartz", Unit.JOBS_PER_SECOND,
                        "Quartz " + PeerVersions.of("quartz") + ", RAMJobStore, SimpleThreadPool of " + THREADS
                                + " threads: one job and one trigger firing at once per job, all scheduled before "
                                + "start(); timed from start() until the last job ran", Target.none()),
                new Metric("jobrunr", String.format(Locale.ROOT, "drain of %,d (quick %,d), %d threads, for %d s at "
                        + "most (quick %d s): jobq vs JobRunr", jobRunrJobs(Scale.FULL), jobRunrJobs(Scale.QUICK),
                        THREADS, jobRunrWindow(Scale.FULL).toSeconds(), jobRunrWindow(Scale.QUICK).toSeconds()),
                        Unit.JOBS_PER_SECOND,
                        "JobRunr " + PeerVersions.of("jobrunr") + ", InMemoryStorageProvider, a "
                                + "BackgroundJobServer of " + THREADS + " workers, poll interval at its default: as "
                                + "many jobs enqueued before the server starts; the jobs run from start() until the "
                                + "last one, or for " + jobRunrWindow(Scale.FULL).toSeconds() + " s (quick "
                                + jobRunrWindow(Scale.QUICK).toSeconds() + " s) if that comes first, per second",
                        Target.none()));
    }

    private static int quartzJobs(Scale scale) {
        return scale.pick(20_000, 100_000);
    }

    private static int jobRunrJobs(Scale scale) {
        return scale.pick(2_000, 10_000);
    }

    private static Duration jobRunrWindow(Scale scale) {
        return scale.pick(Duration.ofSeconds(20), Duration.ofSeconds(60));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int quartz = quartzJobs(scale);
        int jobRunr = jobRunrJobs(scale);
        // Both on as many jobs, so that neither reaches its timed drain less compiled. JobRunr is not
        // warmed up: its rate is its poll interval's, not its code's.
        MemoryDrain.jobqDrain(quartz, probe, "warm-up jobq");
        quartzDrain(quartz, probe, "warm-up Quartz");
        Sides<Drain> withQuartz = probe.sideBySide(
                () -> quartzDrain(quartz, probe, "Quartz drain"),
                () -> MemoryDrain.jobqDrain(quartz, probe, "jobq drain"));
        Sides<Drain> withJobRunr = probe.sideBySide(
                () -> jobRunrDrain(jobRunr, jobRunrWindow(scale), probe, "JobRunr drain"),
                () -> MemoryDrain.jobqDrain(jobRunr, probe, "jobq drain"));
        probe.record("quartz", withQuartz.subject().perSecond(), withQuartz.ceiling().perSecond());
        probe.record("jobrunr", withJobRunr.subject().perSecond(), withJobRunr.ceiling().perSecond());
    }

    /** Quartz with its in-memory store: every job and its trigger scheduled, then start() until the last ran. */
    static Drain quartzDrain(int jobs, Probe probe, String phase) throws Exception {
        var done = new Countdown(jobs);
        QuartzNoop.done = done;
        Scheduler scheduler = quartzInMemory();
        try {
            for (int i = 0; i < jobs; i++) {
                scheduler.scheduleJob(JobBuilder.newJob(QuartzNoop.class).withIdentity("job-" + i).build(),
                        TriggerBuilder.newTrigger().withIdentity("trigger-" + i).startNow().build());
            }
            return Drain.time(jobs, done, probe, phase, () -> {
                try {
                    scheduler.start();
                } catch (org.quartz.SchedulerException e) {
                    throw new IllegalStateException("Quartz did not start", e);
                }
            });
        } finally {
            scheduler.shutdown(false);
            QuartzNoop.done = null;
        }
    }

    /**
     * A new Quartz scheduler, not started, as the peers workloads run it: its in-memory store
     * ({@code RAMJobStore}) and a {@code SimpleThreadPool} of {@link #THREADS} threads, the rest at
     * Quartz's defaults.
     */
    public static Scheduler quartzInMemory() throws org.quartz.SchedulerException {
        var properties = new Properties();
        properties.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "bench-" + System.nanoTime());
        properties.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        properties.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
        properties.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
        return new StdSchedulerFactory(properties).getScheduler();
    }

    /**
     * JobRunr configured as the peers workloads run it: its in-memory storage and a background job
     * server of {@link #THREADS} workers, the rest at JobRunr's defaults; the server started now, or
     * left for {@code JobRunr.getBackgroundJobServer().start()}. Its scheduler, to enqueue with.
     */
    public static JobScheduler jobRunrInMemory(boolean startServer) {
        return JobRunr.configure()
                .useStorageProvider(new InMemoryStorageProvider())
                .useBackgroundJobServer(BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                        .andWorkerCount(THREADS), startServer)
                .initialize()
                .getJobScheduler();
    }

    /**
     * JobRunr with its in-memory storage: every job enqueued, then the server's start(); the rate of
     * the jobs that ran until the last one or until {@code window} ran out, whichever came first.
     * Its server takes more jobs when a worker goes idle and when it polls (every 15 s by default);
     * here, with jobs that return at once, its count of busy workers passes its worker count within
     * the first hundred jobs (its DEBUG log: "Can onboard -1 new work (occupiedWorkerCount = 6;
     * workerCount = 5)"), and from then on it takes jobs only when it polls, so a full drain of B1's
     * size would take hours (docs/benchmarks.md, Peers).
     */
    static Drain jobRunrDrain(int jobs, Duration window, Probe probe, String phase) throws Exception {
        var done = new Countdown(jobs);
        JobRunrNoop.done = done;
        JobScheduler scheduler = jobRunrInMemory(false);
        BackgroundJobServer server = JobRunr.getBackgroundJobServer();
        try {
            for (int i = 0; i < jobs; i++) {
                scheduler.enqueue(() -> JobRunrNoop.run());
            }
            Heap.collect();
            try (var ignored = probe.phase(phase, jobs, done::done)) {
                long begin = System.nanoTime();
                server.start();
                done.awaitAtMost(window);
                long ran = done.done();
                if (ran == 0) {
                    throw new IllegalStateException("JobRunr ran none of " + jobs + " jobs within " + window);
                }
                return new Drain(ran / ((System.nanoTime() - begin) / 1e9), Double.NaN, Double.NaN);
            }
        } finally {
            server.stop();
            JobRunr.destroy();
            JobRunrNoop.done = null;
        }
    }

    /** Quartz makes a job object per run with its public no-argument constructor: the count is static. */
    public static final class QuartzNoop implements Job {
        static volatile @Nullable Countdown done;

        @Override
        public void execute(JobExecutionContext context) {
            Countdown counter = done;
            if (counter != null) {
                counter.tick();
            }
        }
    }

    /** JobRunr runs a static method it found in the enqueued lambda: the count is static. */
    public static final class JobRunrNoop {
        static volatile @Nullable Countdown done;

        private JobRunrNoop() {
        }

        public static void run() {
            Countdown counter = done;
            if (counter != null) {
                counter.tick();
            }
        }
    }
}
