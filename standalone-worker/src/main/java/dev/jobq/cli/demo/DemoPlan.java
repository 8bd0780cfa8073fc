package dev.jobq.cli.demo;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.cli.demo.PlannedJob.Kind;
import dev.jobq.cli.demo.PlannedJob.Outcome;
import dev.jobq.examples.AlwaysFailingHandler;
import dev.jobq.examples.Email;
import dev.jobq.examples.EmailHandler;
import dev.jobq.examples.FailingTask;
import dev.jobq.examples.FlakyCall;
import dev.jobq.examples.FlakyHandler;
import dev.jobq.examples.ReportHandler;
import dev.jobq.examples.ReportRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs the demo enqueues, in enqueue order, each with the outcome it must reach. Flaky and
 * failing jobs come first so their retries overlap the bulk; high-priority jobs come last, so that
 * they are handed out first shows the priority at work (they may start a little later: priority
 * orders delivery, not the start of jobs already delivered, docs/semantics.md#priority).
 */
record DemoPlan(List<PlannedJob> jobs) {

    static final int FLAKY_JOBS = 3;
    static final int FLAKY_FAILURES = 2;
    static final int FAILING_JOBS = 2;
    static final int DELAYED_JOBS = 5;
    static final int HIGH_PRIORITY_JOBS = 5;
    static final int MAX_ATTEMPTS = 3;
    static final int HIGH_PRIORITY = -10;
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration DELAY_STEP = Duration.ofMillis(250);
    static final int SCHEDULED_JOBS = 1;
    /** How far ahead the scheduled job is due, from the moment it is scheduled. */
    static final Duration SCHEDULED_AHEAD = Duration.ofSeconds(2);
    /** The demo's recurring job: its occurrences are counted apart from the planned jobs. */
    static final String RECURRING_NAME = "demo-heartbeat";
    static final String RECURRING_TYPE = "demo:heartbeat";
    static final String RECURRING_SCHEDULE = "every 1 second";
    static final int RECURRING_RUNS = 3;

    DemoPlan {
        jobs = List.copyOf(jobs);
    }

    /** The standard mix around {@code plainJobs} plain emails. */
    static DemoPlan standard(int plainJobs) {
        var jobs = new ArrayList<PlannedJob>();
        var retried = EnqueueOptions.builder().maxAttempts(MAX_ATTEMPTS).build();
        for (int i = 1; i <= FLAKY_JOBS; i++) {
            jobs.add(new PlannedJob(Kind.FLAKY, FlakyHandler.TYPE,
                    new FlakyCall("https://partner-" + i + ".example.com/orders", FLAKY_FAILURES), retried,
                    Outcome.COMPLETED, FLAKY_FAILURES));
        }
        for (int i = 1; i <= FAILING_JOBS; i++) {
            jobs.add(new PlannedJob(Kind.FAILING, AlwaysFailingHandler.TYPE,
                    new FailingTask("printer-" + i + " is on fire"), retried, Outcome.DEAD, MAX_ATTEMPTS - 1));
        }
        for (int i = 1; i <= plainJobs; i++) {
            jobs.add(new PlannedJob(Kind.PLAIN, EmailHandler.TYPE,
                    new Email("user" + i + "@example.com", "Welcome!"), EnqueueOptions.none(), Outcome.COMPLETED, 0));
        }
        for (int i = 0; i < DELAYED_JOBS; i++) {
            jobs.add(new PlannedJob(Kind.DELAYED, ReportHandler.TYPE,
                    new ReportRequest("weekly-" + (i + 1), 5, 20),
                    EnqueueOptions.delay(FIRST_DELAY.plus(DELAY_STEP.multipliedBy(i))), Outcome.COMPLETED, 0));
        }
        for (int i = 1; i <= SCHEDULED_JOBS; i++) {
            jobs.add(new PlannedJob(Kind.SCHEDULED, ReportHandler.TYPE, new ReportRequest("quarterly-" + i, 5, 20),
                    EnqueueOptions.none(), Outcome.COMPLETED, 0));
        }
        for (int i = 1; i <= HIGH_PRIORITY_JOBS; i++) {
            jobs.add(new PlannedJob(Kind.HIGH_PRIORITY, EmailHandler.TYPE,
                    new Email("admin" + i + "@example.com", "Password reset"),
                    EnqueueOptions.builder().priority(HIGH_PRIORITY).build(), Outcome.COMPLETED, 0));
        }
        return new DemoPlan(jobs);
    }

    int size() {
        return jobs.size();
    }

    /** How many planned jobs of each kind, in {@link Kind} order. */
    Map<Kind, Integer> countByKind() {
        var counts = new EnumMap<Kind, Integer>(Kind.class);
        jobs.forEach(job -> counts.merge(job.kind(), 1, Integer::sum));
        return counts;
    }

    /**
     * Enqueues every job in order, a scheduled one through the queue's scheduler for
     * {@link #SCHEDULED_AHEAD} after {@code now}; returns each job by the id the queue gave it.
     */
    Map<String, PlannedJob> enqueueAll(JobQueue queue, Instant now) {
        var byId = new LinkedHashMap<String, PlannedJob>();
        for (PlannedJob job : jobs) {
            String id = job.kind() == Kind.SCHEDULED
                    ? queue.scheduler().schedule(job.type(), job.payload(), now.plus(SCHEDULED_AHEAD), job.options())
                    : queue.enqueue(job.type(), job.payload(), job.options());
            byId.put(id, job);
        }
        return byId;
    }
}
