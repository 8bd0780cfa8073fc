package dev.jobq.bench.memory;

import dev.jobq.bench.memory.HandlerLatency.Plan;
import dev.jobq.bench.memory.HandlerLatency.Schedule;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.PeerVersions;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;

/**
 * P3, a peers workload (not part of the table's targets): B3's open-loop schedule — {@value
 * HandlerLatency#RATE} jobs/s, each measured from the instant it was due to be sent to its handler's
 * first line — through jobq's memory queue (exactly as B3) and through Quartz with its in-memory
 * store, each job a Quartz job with a trigger starting at once. The figure is jobq's, its "ceiling"
 * Quartz's. Of the peers the issue measured, only Quartz keeps up with that rate here: JobRunr's
 * in-memory storage runs a job or two a second and db-scheduler about 2,000–3,500 on durable
 * PostgreSQL (P1, P6).
 */
public final class PeerLatency implements Workload {

    @Override
    public String id() {
        return "P3";
    }

    @Override
    public String title() {
        return "memory latency beside Quartz";
    }

    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        String quartz = "Quartz " + PeerVersions.of("quartz") + ", RAMJobStore, SimpleThreadPool of "
                + PeerDrain.THREADS + " threads: the same open-loop schedule, each job scheduled with a trigger "
                + "starting at once (scheduled send → job start)";
        String at = " at " + HandlerLatency.RATE + "/s: jobq vs Quartz";
        return List.of(
                new Metric("p50", "enqueue → start p50" + at, Unit.MILLISECONDS, quartz, Target.none()),
                new Metric("p99", "enqueue → start p99" + at, Unit.MILLISECONDS, quartz, Target.none()),
                new Metric("p999", "enqueue → start p99.9" + at, Unit.MILLISECONDS, quartz, Target.none()));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        Plan plan = Plan.of(scale);
        Sides<Histogram> latency = probe.sideBySide(() -> quartz(plan, probe),
                () -> HandlerLatency.jobq(plan, probe));
        HandlerLatency.record(probe, "p50", 50, latency);
        HandlerLatency.record(probe, "p99", 99, latency);
        HandlerLatency.record(probe, "p999", 99.9, latency);
    }

    private static Histogram quartz(Plan plan, Probe probe) throws Exception {
        var schedule = new Schedule(plan);
        QuartzStamp.schedule = schedule;
        Scheduler scheduler = PeerDrain.quartzInMemory();
        var names = new AtomicLong();
        try {
            scheduler.start();
            return schedule.run(probe, "Quartz at " + HandlerLatency.RATE + "/s", due -> {
                String name = "job-" + names.incrementAndGet();
                scheduler.scheduleJob(JobBuilder.newJob(QuartzStamp.class).withIdentity(name)
                                .usingJobData("due", due).build(),
                        TriggerBuilder.newTrigger().withIdentity(name).startNow().build());
            });
        } finally {
            scheduler.shutdown(false);
            QuartzStamp.schedule = null;
        }
    }

    /** Quartz makes a job object per run with its public no-argument constructor: the schedule is static. */
    public static final class QuartzStamp implements Job {
        static volatile @Nullable Schedule schedule;

        @Override
        public void execute(JobExecutionContext context) {
            Schedule current = schedule;
            if (current != null) {
                current.started(context.getMergedJobDataMap().getLong("due"));
            }
        }
    }
}
