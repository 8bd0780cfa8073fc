package dev.jobq.bench.scheduler;

import dev.jobq.JobQueue;
import dev.jobq.bench.memory.SamplePayload;
import dev.jobq.bench.runner.Countdown;
import dev.jobq.bench.runner.Heap;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * B6: how fast the JDBC scheduler hands due one-time jobs on. {@code N} rows due now (all at the
 * same instant) are put in {@code jobq_scheduled_job} before the clock starts; jobq: a queue built
 * with the {@code jdbc} scheduler (batch size {@value #BATCH}, its default) and the memory provider,
 * timed from {@code start()} until the provider has accepted all {@code N}; ceiling: a raw JDBC loop
 * on the same table and batch size ({@link SkipLockedLoop}: {@code FOR UPDATE SKIP LOCKED}, read,
 * delete, commit). On PostgreSQL run durably ({@link DurablePostgres}), 20,000 rows, and on an H2
 * file 20,000 for the scheduler and {@value #H2_RAW_DUE} for the raw loop (on H2 the raw loop slows
 * down with many rows due at one instant: H2 locks every due row its FOR UPDATE scan reads, before
 * the LIMIT; the scheduler claims in two steps there, and with 10,000 rows its measured window was
 * under 0.2 s, short enough for one pause of the machine to halve a figure). Then the same among
 * 1,000,000 future rows on PostgreSQL and 100,000 on H2, against the empty-table rate of the same
 * run, in pairs of passes back to back whose median ratio is the run's ({@value #POSTGRES_PAIRS} on
 * PostgreSQL, {@value #H2_PAIRS} on H2): cost must not
 * grow with rows that are not due (the raw loop among them on PostgreSQL only).
 * Row ids are time-ordered UUIDs (version 7) like those jobq writes.
 */
public final class FireRate implements Workload {

    static final int BATCH = 100;
    static final int H2_DUE = 20_000;
    static final int H2_RAW_DUE = 5_000;
    static final int H2_DUE_QUICK = 5_000;
    /**
     * The scheduler's warm-up passes in full mode (one in quick mode), each of as many rows as a
     * measured pass. With a full GC before each pass, in B6 forks PostgreSQL's scheduler reached its
     * rate in its third pass of 20,000 (19–27, 24–40, then 40–46 thousand jobs/s); H2's, whose engine
     * runs in this JVM and is compiled with it, took up to five (15–24, 28–52, 37–61 thousand jobs/s
     * in its first three).
     */
    static final int POSTGRES_WARM_UP_ROUNDS = 3;
    static final int H2_WARM_UP_ROUNDS = 5;
    /**
     * The interleaved pairs of scheduler passes (empty table, among future rows) per run in full mode
     * (one in quick mode); the future-rows ratio of a run is their median. Single pairs ranged from
     * 58 % to 167 % on H2 and from 74 % to 121 % on PostgreSQL in B6 forks; seven pairs on H2 did
     * not narrow its runs' medians and made a full run too long.
     */
    static final int POSTGRES_PAIRS = 5;
    static final int H2_PAIRS = 5;
    private static final Duration LIMIT = Duration.ofMinutes(3);
    static final String TYPE = "bench:email";

    @Override
    public String id() {
        return "B6";
    }

    @Override
    public String title() {
        return "scheduler fire rate";
    }

    /** One run in quick mode (a smoke run: each starts a server), three in full. */
    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        String raw = "a raw JDBC loop on the same table and batch size (" + BATCH + "): FOR UPDATE SKIP LOCKED, "
                + "read the row, DELETE, commit";
        String empty = "the scheduler on an empty table in the same run: of " + POSTGRES_PAIRS + " pairs of passes on "
                + "PostgreSQL and " + H2_PAIRS + " on H2 (quick 1), "
                + "empty table and among future rows back to back, the pair with the median ratio";
        return List.of(
                new Metric("h2", "H2 file: 20,000 due (quick 5,000) → memory provider", Unit.JOBS_PER_SECOND,
                        raw + " (on H2 5,000 rows in full mode too)",
                        Target.none()),
                new Metric("pg", "PostgreSQL durable: 20,000 due (quick 3,000) → memory provider",
                        Unit.JOBS_PER_SECOND, raw,
                        Target.atLeastPercentOfCeiling(50)),
                new Metric("pg-future", "PostgreSQL durable, among 1,000,000 future rows (quick 50,000)",
                        Unit.JOBS_PER_SECOND,
                        empty, Target.atLeastPercentOfCeiling(90)),
                new Metric("h2-future", "H2 file, among 100,000 future rows (quick 20,000)", Unit.JOBS_PER_SECOND,
                        empty,
                        Target.atLeastPercentOfCeiling(90)),
                new Metric("pg-raw-future", "raw loop on PostgreSQL, among 1,000,000 future rows (quick 50,000)",
                        Unit.JOBS_PER_SECOND, "the raw loop in the same run with only the due rows in the table",
                        Target.none()));
    }

    /**
     * The sizes of one scale: rows due for the scheduler and for the raw loop, future rows; the
     * warm-up's rows for the raw loop (once) and for the scheduler (in {@code warmUpRounds} passes);
     * whether the raw loop is measured among the future rows too (only PostgreSQL's figure is
     * reported); and how many interleaved pairs of scheduler passes, one on an empty table and one
     * among the future rows, give the future-rows ratio (odd, so that its median is one pair's).
     */
    private record Plan(int due, int rawDue, int future, int rawWarmUp, int warmUpRounds, boolean rawAmongFuture,
                        int pairs) {
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int postgresDue = scale.pick(3_000, 20_000);
        var postgresPlan = new Plan(postgresDue, postgresDue, scale.pick(50_000, 1_000_000), scale.pick(500, 5_000),
                scale.pick(1, POSTGRES_WARM_UP_ROUNDS), true, scale.pick(1, POSTGRES_PAIRS));
        // H2's raw loop slows down with many rows due at one instant (its FOR UPDATE locks every due
        // row it reads), so H2 has fewer rows than PostgreSQL.
        var h2Plan = new Plan(scale.pick(H2_DUE_QUICK, H2_DUE), scale.pick(H2_DUE_QUICK, H2_RAW_DUE),
                scale.pick(20_000, 100_000), scale.pick(500, 2_000), scale.pick(1, H2_WARM_UP_ROUNDS), false,
                scale.pick(1, H2_PAIRS));
        Path h2Dir = Files.createTempDirectory("jobq-bench-h2");
        try (var postgres = DurablePostgres.start()) {
            System.out.println("PostgreSQL for B6: " + postgres.durability());
            var pgDatabases = new AtomicLong();
            Rates pg = measure(() -> postgres.newDatabase("jobq_bench_" + pgDatabases.incrementAndGet()), postgresPlan,
                    probe, "PostgreSQL");
            var h2Databases = new AtomicLong();
            Rates h2 = measure(() -> "jdbc:h2:file:" + h2Dir.resolve("jobq" + h2Databases.incrementAndGet())
                    .toAbsolutePath(), h2Plan, probe, "H2");
            probe.record("h2", h2.empty().subject(), h2.empty().ceiling());
            probe.record("pg", pg.empty().subject(), pg.empty().ceiling());
            probe.record("pg-future", pg.future().amongFuture(), pg.future().empty());
            probe.record("h2-future", h2.future().amongFuture(), h2.future().empty());
            probe.record("pg-raw-future", Objects.requireNonNull(pg.rawAmongFuture()), pg.empty().ceiling());
        } finally {
            try (var files = Files.walk(h2Dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /**
     * One database's rates: raw loop (ceiling) and scheduler (subject) on an empty table; the pair of
     * scheduler passes, empty table and among future rows, whose ratio is the median; and the raw loop
     * among the future rows where the plan measures it.
     */
    private record Rates(Sides<Double> empty, Pair future, @Nullable Double rawAmongFuture) {
    }

    /** The scheduler's rates in two consecutive passes, one on an empty table, one among future rows. */
    private record Pair(double empty, double amongFuture) {
        double ratio() {
            return amongFuture / empty;
        }
    }

    /** A new, empty database of one kind; its JDBC URL. */
    @FunctionalInterface
    private interface NewDatabase {
        String url() throws Exception;
    }

    /**
     * After a warm-up in a database of its own: the raw loop and the scheduler on an empty table, in a
     * fresh database; then {@code plan.pairs()} pairs of scheduler passes, one in that database (empty
     * again) and one in another holding the future rows, alternating which goes first; the raw loop
     * among the future rows where the plan says. A single pass lasts about half a second, and one pause of
     * the machine in it moves its rate by a third; pairs measured back to back see the same machine,
     * and their median ratio leaves the odd pause out (a single pair's ratio ran from 64 % to 150 %
     * with a median of 99 % on H2).
     */
    private Rates measure(NewDatabase databases, Plan plan, Probe probe, String db) throws Exception {
        warmUp(learnt(databases.url()), plan, probe, db);
        ScheduledTable empty = learnt(databases.url());
        Sides<Double> emptyRates = emptyTable(empty, plan, probe, db);
        ScheduledTable future = withFutureRows(learnt(databases.url()), plan, probe, db);
        Pair median = medianPair(empty, future, plan, probe, db);
        Double raw = null;
        if (plan.rawAmongFuture()) {
            raw = raw(future, plan.rawDue(), probe, db + " raw loop among future rows");
        }
        return new Rates(emptyRates, median, raw);
    }

    /**
     * Runs both sides until the JIT has compiled their paths, the database engine's own among them
     * on H2 (it runs in this JVM): the raw loop once, the scheduler in {@code plan.warmUpRounds()}
     * passes of as many rows as it is measured with. In a database of its own, so that the measured
     * ones start fresh.
     */
    private static void warmUp(ScheduledTable table, Plan plan, Probe probe, String db) throws Exception {
        raw(table, plan.rawWarmUp(), probe, db + " warm-up raw loop");
        table.clear();
        for (int round = 1; round <= plan.warmUpRounds(); round++) {
            scheduler(table, plan.due(), probe, db + " warm-up scheduler " + round + "/" + plan.warmUpRounds(), false);
            table.clear();
        }
    }

    /**
     * A database with the scheduler's schema and its table's row shape learnt from a job of {@link #TYPE}
     * the scheduler wrote itself (and then deleted).
     */
    static ScheduledTable learnt(String url) throws Exception {
        var table = new ScheduledTable(url);
        try (JobQueue template = SchedulerQueues.firingOnly(url, BATCH, event -> { })) {
            table.learnFrom(template.scheduler().schedule(TYPE, SamplePayload.forJob(0),
                    Instant.parse("2999-01-01T00:00:00Z")));
        }
        return table;
    }

    /** Raw loop and scheduler with only the due rows in the table. */
    private static Sides<Double> emptyTable(ScheduledTable table, Plan plan, Probe probe, String db) throws Exception {
        return probe.sideBySide(() -> {
            table.clear();
            return raw(table, plan.rawDue(), probe, db + " raw loop");
        }, () -> {
            table.clear();
            return scheduler(table, plan.due(), probe, db + " scheduler", false);
        });
    }

    /** {@code table} with {@code plan.future()} rows due from tomorrow on. */
    private static ScheduledTable withFutureRows(ScheduledTable table, Plan plan, Probe probe, String db)
            throws Exception {
        var filled = new AtomicLong();
        try (var ignored = probe.phase(db + ": " + plan.future() + " future rows", plan.future(), filled::get)) {
            table.addFuture(plan.future(), Instant.now().plus(Duration.ofDays(1)));
        }
        return table;
    }

    /**
     * The scheduler in {@code plan.pairs()} pairs of passes, on the empty table and among the future
     * rows, the empty one first in every other pair (in odd runs the first pair's, in even runs the
     * second's); each pair's ratio is printed, and the pair with the median ratio returned. The
     * first pass among the future rows prints the database's plan for the scheduler's claim.
     */
    private static Pair medianPair(ScheduledTable empty, ScheduledTable future, Plan plan, Probe probe, String db)
            throws Exception {
        var pairs = new ArrayList<Pair>();
        for (int i = 0; i < plan.pairs(); i++) {
            String pair = db + " pair " + (i + 1) + "/" + plan.pairs();
            double emptyRate;
            double futureRate;
            if ((i + probe.run()) % 2 == 1) {
                emptyRate = pass(empty, plan, probe, pair + " empty table", false);
                futureRate = pass(future, plan, probe, pair + " among future rows", i == 0);
            } else {
                futureRate = pass(future, plan, probe, pair + " among future rows", i == 0);
                emptyRate = pass(empty, plan, probe, pair + " empty table", false);
            }
            var measured = new Pair(emptyRate, futureRate);
            System.out.printf("%s: among future rows / empty table %.1f %%%n", pair, 100 * measured.ratio());
            pairs.add(measured);
        }
        pairs.sort(Comparator.comparingDouble(Pair::ratio));
        return pairs.get(pairs.size() / 2);
    }

    /** One scheduler pass on {@code table}, which is left with the rows it had before. */
    private static double pass(ScheduledTable table, Plan plan, Probe probe, String phase, boolean explain)
            throws Exception {
        double rate = scheduler(table, plan.due(), probe, phase, explain);
        table.removeHandedOn();
        return rate;
    }

    /**
     * Rows handed on per second by the raw loop, from its first claim until the commit of its last row
     * (as the scheduler's clock stops at its last job handed on, not at a claim that finds nothing
     * after it); then, outside the clock, no due row may be left. Its connection made before the clock
     * starts and closed after it stops, as the scheduler's pool.
     */
    static double raw(ScheduledTable table, int due, Probe probe, String phase) throws Exception {
        table.addDue(due, Instant.now().minusSeconds(1));
        table.settle();
        try (var loop = SkipLockedLoop.open(table, BATCH)) {
            Heap.collect();
            var taken = new AtomicLong();
            long nanos;
            try (var ignored = probe.phase(phase, due, taken::get)) {
                long start = System.nanoTime();
                loop.drain(taken, due);
                nanos = System.nanoTime() - start;
            }
            if (taken.get() != due || loop.anyDue()) {
                throw new IllegalStateException(phase + ": took " + taken.get() + " rows, expected " + due
                        + (taken.get() == due ? ", and due rows are left" : ""));
            }
            double rate = due / (nanos / 1e9);
            System.out.printf("%s: %,.0f rows/s%n", phase, rate);
            return rate;
        }
    }

    /**
     * Jobs handed on per second by the scheduler, from start() until the provider accepted the last
     * one; with {@code explain}, first prints the database's plan for the scheduler's claim.
     */
    private static double scheduler(ScheduledTable table, int due, Probe probe, String phase, boolean explain)
            throws Exception {
        var handedOn = new Countdown(due);
        try (JobQueue queue = SchedulerQueues.firingOnly(table.url(), BATCH, event -> {
            if (SchedulerQueues.handedOn(event)) {
                handedOn.tick();
            }
        })) {
            table.addDue(due, Instant.now().minusSeconds(1));
            table.settle();
            if (explain) {
                printPlan(table, phase);
            }
            // Adding the rows makes garbage in this JVM on H2 (the database runs in it): collect it
            // now rather than in the timed part.
            Heap.collect();
            try (var ignored = probe.phase(phase, due, handedOn::done)) {
                long start = System.nanoTime();
                queue.start();
                handedOn.await(LIMIT);
                double rate = due / ((System.nanoTime() - start) / 1e9);
                System.out.printf("%s: %,.0f jobs/s%n", phase, rate);
                return rate;
            }
        }
    }

    /**
     * On PostgreSQL the claim is one statement; on H2 its first step, which reads the due index
     * without locks (the second locks the ids it found by primary key).
     */
    private static void printPlan(ScheduledTable table, String phase) throws Exception {
        String claim = table.postgres()
                ? "SELECT * FROM jobq_scheduled_job WHERE status = 'SCHEDULED' AND due_at <= ? "
                        + "ORDER BY status, due_at, id LIMIT ? FOR UPDATE SKIP LOCKED"
                : "SELECT id, due_at FROM jobq_scheduled_job WHERE status = 'SCHEDULED' AND due_at <= ? "
                        + "ORDER BY status, due_at, id LIMIT ?";
        List<String> plan = table.plan(claim, Instant.now(), BATCH);
        System.out.println(phase + ": plan of the scheduler's claim (as ClaimStatements writes it"
                + (table.postgres() ? ")" : "; on H2 its first step)") + ":");
        if (table.postgres()) {
            plan.forEach(line -> System.out.println("    " + line));
        } else {
            // H2 answers with the query, its index choice in a comment: one line is enough.
            System.out.println("    " + String.join(" ", plan).replaceAll("\\s+", " ").replaceAll("SELECT .* FROM", "SELECT … FROM"));
        }
    }
}
