package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.jobq.JobOptions;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scheduler calls made at the same instant as a claim, a hand-off or another scheduler instance's
 * call on the same database: each race lined up with a barrier and repeated, every wait bounded.
 * Extended per database, as {@link JdbcSchedulerContract} is.
 */
abstract class SchedulerRacesContract {

    static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    static final long WAIT_S = 30;

    protected final SettableClock clock = new SettableClock(T0);
    protected final RecordingSink sink = new RecordingSink(clock);
    private final List<JdbcJobScheduler> opened = new CopyOnWriteArrayList<>();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    protected String url;

    protected abstract String newDatabase();

    protected String sameDatabase(String url, String name) {
        return url;
    }

    /** Rounds of each race: fewer where a round costs more (a server's round trips). */
    protected abstract int rounds();

    @BeforeEach
    void freshDatabase() {
        url = newDatabase();
    }

    @AfterEach
    void closeAll() throws InterruptedException {
        callers.shutdownNow();
        opened.forEach(JdbcJobScheduler::close);
        assertThat(callers.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    }

    JdbcJobScheduler instance(int n) {
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "instance-" + n))
                .pollInterval(Duration.ofMinutes(10)).poolSize(4)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        opened.add(scheduler);
        return scheduler;
    }

    JobEnvelope job(String type) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type, "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }

    @FunctionalInterface
    interface Call<T> {
        T run() throws Exception;
    }

    /** Runs the calls on threads of their own released together; their results in order. */
    @SafeVarargs
    final <T> List<T> together(Call<? extends T>... calls) throws Exception {
        var barrier = new CyclicBarrier(calls.length);
        List<Future<T>> futures = new ArrayList<>();
        for (Call<? extends T> call : calls) {
            futures.add(callers.submit(() -> {
                barrier.await(WAIT_S, TimeUnit.SECONDS);
                return call.run();
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(WAIT_S, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    @DisplayName("cancel racing the claim and hand-off of its row by three instances: true and the job is never "
            + "handed on, or false and it is handed on once")
    void cancelRacingTheHandOff() throws Exception {
        var a = instance(1);
        var b = instance(2);
        var c = instance(3);
        int cancelled = 0;
        for (int round = 0; round < rounds(); round++) {
            JobEnvelope job = job("invoice:remind");
            a.schedule(job, clock.instant());
            List<Object> results = together(() -> a.fireDue(), () -> b.fireDue(), () -> c.fireDue(),
                    () -> b.cancel(job.jobId()));
            boolean wasCancelled = (Boolean) results.get(3);
            long handedOn = sink.envelopes().stream().filter(e -> e.jobId().equals(job.jobId())).count();
            if (wasCancelled) {
                cancelled++;
                assertThat(handedOn).as("round %d: cancel said true, the job must never be handed on", round).isZero();
                assertThat(a.status(job.jobId())).hasValue(ScheduledJobInfo.Status.CANCELLED);
            } else {
                assertThat(handedOn).as("round %d: cancel said false, the job is handed on once", round).isOne();
                assertThat(a.status(job.jobId())).hasValue(ScheduledJobInfo.Status.ENQUEUED);
            }
            assertThat(a.fireDue() + b.fireDue()).as("nothing left due").isZero();
        }
        assertThat(sink.duplicates()).isEmpty();
        assertThat(sink.count()).isEqualTo(rounds() - cancelled);
    }

    @Test
    @DisplayName("cancel right after schedule, while three started instances' firing threads hand the job on: true "
            + "and it is never handed on, false and it is handed on once")
    void cancelRacingTheFiringThreads() throws Exception {
        var instances = List.of(instance(1), instance(2), instance(3));
        instances.forEach(JdbcJobScheduler::start);
        int rounds = rounds();
        List<String> ids = new ArrayList<>();
        List<Boolean> cancelled = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            JobEnvelope job = job("invoice:void");
            // Due now: scheduling rings this instance's firing thread, which claims it at once.
            instances.get(round % 3).schedule(job, clock.instant());
            ids.add(job.jobId());
            cancelled.add(instances.get((round + 1) % 3).cancel(job.jobId()));
        }
        long expected = cancelled.stream().filter(c -> !c).count();
        await().atMost(Duration.ofSeconds(WAIT_S)).pollInterval(Duration.ofMillis(10))
                .until(() -> sink.count() >= expected && instances.get(0).listScheduled(10).isEmpty());
        assertThat(sink.duplicates()).isEmpty();
        for (int round = 0; round < rounds; round++) {
            String id = ids.get(round);
            long handedOn = sink.envelopes().stream().filter(e -> e.jobId().equals(id)).count();
            assertThat(handedOn).as("round %d: cancel returned %s", round, cancelled.get(round))
                    .isEqualTo(cancelled.get(round) ? 0 : 1);
            assertThat(instances.get(2).status(id)).hasValue(cancelled.get(round)
                    ? ScheduledJobInfo.Status.CANCELLED : ScheduledJobInfo.Status.ENQUEUED);
        }
        assertThat(sink.count()).isEqualTo((int) expected);
        // Both ways happen: about half the hand-offs came first in trial runs (90 of 200 on H2, 44 of 100 on PostgreSQL).
        assertThat(expected).as("rounds whose hand-off came before the cancel").isBetween(1L, rounds - 1L);
    }

    @Test
    @DisplayName("registerRecurring of one name from three instances at once: no error reaches a caller, one "
            + "definition wins whole, and its next run is its schedule's first after now")
    void registerRecurringOfOneNameFromThreeInstances() throws Exception {
        var instances = List.of(instance(1), instance(2), instance(3));
        List<String> schedules = List.of("every 1 hour", "every 2 hours", "0 9 * * *");
        for (int round = 0; round < rounds(); round++) {
            String name = "digest-" + round;
            List<RecurringJob> definitions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                definitions.add(RecurringJob.builder(name, "report:" + i).schedule(schedules.get(i)).build());
            }
            List<RecurringJobInfo> returned = together(
                    () -> instances.get(0).registerRecurring(definitions.get(0), "{\"by\":0}"),
                    () -> instances.get(1).registerRecurring(definitions.get(1), "{\"by\":1}"),
                    () -> instances.get(2).registerRecurring(definitions.get(2), "{\"by\":2}"));
            for (int i = 0; i < 3; i++) {
                assertThat(returned.get(i).schedule()).as("what call %d stored", i).isEqualTo(schedules.get(i));
            }
            RecurringJobInfo stored = instances.get(0).getRecurring(name).orElseThrow();
            int winner = schedules.indexOf(stored.schedule());
            assertThat(winner).as("round %d: the stored schedule is one of those registered", round).isNotNegative();
            assertThat(stored.type()).as("type of the same definition as the schedule").isEqualTo("report:" + winner);
            assertThat(stored.nextRunAt()).as("round %d: next run of %s", round, stored.schedule())
                    .isEqualTo(returned.get(winner).nextRunAt()).isAfter(clock.instant())
                    .isBeforeOrEqualTo(clock.instant().plus(Duration.ofDays(1)));
        }
        assertThat(instances.get(1).listRecurring()).hasSize(rounds());
    }

    @Test
    @DisplayName("deleteRecurring racing the fire of its due occurrence: the occurrence is handed on at most once, "
            + "and nothing after the delete")
    void deleteRecurringRacingAFire() throws Exception {
        var a = instance(1);
        var b = instance(2);
        Instant start = clock.instant();
        for (int round = 0; round < rounds() / 2; round++) {
            String name = "cleanup-" + round;
            a.registerRecurring(RecurringJob.builder(name, "cleanup:" + round).schedule("every 1 minute").build(), "{}");
            Instant due = a.getRecurring(name).orElseThrow().nextRunAt();
            clock.set(due);
            List<Object> results = together(() -> a.fireDue(), () -> b.fireDue(), () -> b.deleteRecurring(name));
            assertThat((Boolean) results.get(2)).as("round %d: the job existed", round).isTrue();
            assertThat(a.getRecurring(name)).isEmpty();
            String type = "cleanup:" + round;
            long fired = sink.envelopes().stream().filter(e -> e.type().equals(type)).count();
            assertThat(fired).isLessThanOrEqualTo(1);
            clock.set(due.plus(Duration.ofMinutes(5)));
            assertThat(a.fireDue() + b.fireDue()).as("round %d: nothing fires after the delete", round).isZero();
        }
        assertThat(sink.duplicates()).isEmpty();
        assertThat(sink.count()).isLessThanOrEqualTo(rounds() / 2);
        assertThat(a.listRecurring()).isEmpty();
        assertThat(start).isBefore(clock.instant());
    }

    @Test
    @DisplayName("schedule with one deduplication key from 8 threads through 2 instances: one job held, every caller "
            + "gets its id")
    void oneDeduplicationKeyFromManyThreadsHoldsOneJob() throws Exception {
        var a = instance(1);
        var b = instance(2);
        for (int round = 0; round < rounds() / 2; round++) {
            JobOptions options = dev.jobq.EnqueueOptions.builder().deduplicationKey("key-" + round).build()
                    .resolve(JobOptions.defaults());
            Instant at = clock.instant().plus(Duration.ofHours(1));
            List<Call<String>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                JdbcJobScheduler through = t % 2 == 0 ? a : b;
                calls.add(() -> through.schedule(new JobEnvelope(JobEnvelope.CURRENT_VERSION,
                        UUID.randomUUID().toString(), "sms:send", "{}", options, 0, clock.instant(), null, null), at));
            }
            @SuppressWarnings("unchecked")
            Call<String>[] all = calls.toArray(new Call[0]);
            List<String> ids = together(all);
            assertThat(Set.copyOf(ids)).as("round %d", round).hasSize(1);
        }
        assertThat(a.listScheduled(1_000)).hasSize(rounds() / 2);
    }

    @Test
    @DisplayName("schedule from 8 threads while 3 started instances claim: each job handed on exactly once")
    void scheduleFromManyThreadsWhileInstancesClaim() throws Exception {
        var instances = List.of(instance(1), instance(2), instance(3));
        instances.forEach(JdbcJobScheduler::start);
        int perThread = Math.max(25, rounds() / 2);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        List<Call<Integer>> calls = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            JdbcJobScheduler through = instances.get(t % 3);
            calls.add(() -> {
                for (int i = 0; i < perThread; i++) {
                    JobEnvelope job = job("order:ship");
                    // Due now, a little past or a little ahead: claims and the alarm race the inserts.
                    Instant at = clock.instant().plusMillis((i % 3) - 1);
                    ids.add(through.schedule(job, at));
                }
                return perThread;
            });
        }
        @SuppressWarnings("unchecked")
        Call<Integer>[] all = calls.toArray(new Call[0]);
        together(all);
        clock.set(clock.instant().plusMillis(2));
        assertThat(ids).hasSize(8 * perThread);
        await().atMost(Duration.ofSeconds(WAIT_S)).pollInterval(Duration.ofMillis(10))
                .until(() -> sink.count() >= 8 * perThread && instances.get(0).listScheduled(10).isEmpty());
        // A batch's jobs reach the sink before its claim commits: the rows were empty once all had committed.
        assertThat(sink.duplicates()).isEmpty();
        assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(instances.get(0).listScheduled(10)).isEmpty();
        for (String id : ids) {
            assertThat(instances.get(1).status(id)).hasValue(ScheduledJobInfo.Status.ENQUEUED);
        }
    }

    @Test
    @DisplayName("schedule() retried with the id of a job handed on between the retry's look for its record and its "
            + "insert does not store it again: the job is handed on once")
    void scheduleRetriedWhileItsJobIsHandedOn() throws Exception {
        scheduleRetriedWhileItsJobIsHandedOn(null);
    }

    /**
     * As {@link #scheduleRetriedWhileItsJobIsHandedOn()}, on a DataSource whose connections read at REPEATABLE READ or
     * SERIALIZABLE (an application's pool so configured): the second look for the job's record read the snapshot the
     * first one took, and missed the hand-off committed meanwhile; the job was stored again and handed on twice (H2 and
     * PostgreSQL at REPEATABLE READ), or schedule() failed on a serialization failure (PostgreSQL at SERIALIZABLE).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TRANSACTION_REPEATABLE_READ", "TRANSACTION_SERIALIZABLE"})
    void scheduleRetriedWhileItsJobIsHandedOnAtAStricterIsolation(String isolation) throws Exception {
        scheduleRetriedWhileItsJobIsHandedOn(isolation);
    }

    /**
     * A pool whose connections its init SQL sets to REPEATABLE READ: HikariCP takes the level it reads before that SQL
     * for the connections' own, and resets a connection whose level was set through JDBC to it when it comes back. A
     * schedule() that set READ COMMITTED and the level back through JDBC left the connection at READ COMMITTED, the
     * application's next transaction on it reading at a level it had not chosen.
     */
    @Test
    @DisplayName("schedule() on a pool whose init SQL sets REPEATABLE READ leaves its connections at REPEATABLE READ")
    void scheduleLeavesTheLevelAPoolsInitSqlSet() throws Exception {
        try (var pool = new HikariDataSource()) {
            pool.setJdbcUrl(sameDatabase(url, "init-sql"));
            pool.setMaximumPoolSize(2);
            pool.setConnectionInitSql("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(pool)
                    .pollInterval(Duration.ofMinutes(10))
                    .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
                JobEnvelope job = job("invoice:remind");
                scheduler.schedule(job, clock.instant().plusSeconds(60));
                assertThat(scheduler.status(job.jobId())).hasValue(ScheduledJobInfo.Status.SCHEDULED);
            }
            // Both of the pool's connections: the one schedule() ran on is among them.
            try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
                assertThat(List.of(first.getTransactionIsolation(), second.getTransactionIsolation()))
                        .as("the levels of the pool's connections after schedule()")
                        .containsOnly(Connection.TRANSACTION_REPEATABLE_READ);
            }
        }
    }

    /**
     * Two schedulers' purges at once on an application's DataSource whose connections read at REPEATABLE READ: a purge
     * reads a chunk of old rows' ids, then deletes them, and the other scheduler deletes them in between. At the
     * DataSource's level the delete met rows removed since its snapshot, and the purge failed (PostgreSQL: "could not
     * serialize access due to concurrent delete"), to be tried again after a failed pass's pause, its failure shown.
     */
    @Test
    @DisplayName("a purge on a DataSource at REPEATABLE READ goes past rows another scheduler purged between its two "
            + "steps: no failure")
    void purgeAtRepeatableReadGoesPastRowsPurgedBetweenItsSteps() throws Exception {
        try (var pool = new HikariDataSource()) {
            pool.setJdbcUrl(sameDatabase(url, "purge"));
            pool.setMaximumPoolSize(4);
            pool.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
            purgeRace(pool, pool);
        }
    }

    /**
     * Two schedulers purge one cancelled row past its retention, the first on {@code firstPool}, the second on
     * {@code secondPool}: the second's purge has read the row's id when the first purges it, before the second
     * deletes. The second must go past it, purging nothing, and not fail.
     */
    protected void purgeRace(DataSource firstPool, DataSource secondPool) throws Exception {
        var deleteStep = new BeforeStatement(secondPool,
                Pattern.compile("delete from (\\w+\\.)?jobq_scheduled_job where"));
        Duration retention = Duration.ofHours(1);
        try (JdbcJobScheduler first = JdbcSchedulerFactory.builder().dataSource(firstPool).retention(retention)
                .pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
             JdbcJobScheduler second = JdbcSchedulerFactory.builder().dataSource(deleteStep).retention(retention)
                .pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            JobEnvelope job = job("report:old");
            first.schedule(job, clock.instant().plus(Duration.ofDays(1)));
            assertThat(first.cancel(job.jobId())).isTrue();
            clock.advance(retention.plusMinutes(1));
            deleteStep.arm(() -> assertThat(first.purgeNow()).as("rows the first scheduler purged").isOne());
            assertThat(second.purgeNow()).as("rows the second scheduler purged").isZero();
            assertThat(first.status(job.jobId())).isEmpty();
        }
    }

    /** The race of both tests above, on a pool at {@code isolation} (the driver's default when null). */
    private void scheduleRetriedWhileItsJobIsHandedOn(@Nullable String isolation) throws Exception {
        var held = new HeldHandOff(sink, Duration.ofSeconds(WAIT_S));
        try (var pool = new HikariDataSource()) {
            pool.setJdbcUrl(sameDatabase(url, "retry"));
            pool.setMaximumPoolSize(4);
            if (isolation != null) {
                pool.setTransactionIsolation(isolation);
            }
            var insert = new BeforeStatement(pool, Pattern.compile("insert into (\\w+\\.)?jobq_scheduled_job \\("));
            var builder = JdbcSchedulerFactory.builder().dataSource(insert);
            try (JdbcJobScheduler scheduler = held.scheduler(builder, clock)) {
                JobEnvelope job = job("invoice:remind");
                scheduler.schedule(job, clock.instant());
                // The retry has looked for the job's record (none yet); the hand-off commits before its insert.
                insert.arm(() -> {
                    held.letGo();
                    await().atMost(Duration.ofSeconds(WAIT_S)).pollInterval(Duration.ofMillis(10))
                            .until(() -> scheduler.status(job.jobId()).equals(
                                    Optional.of(ScheduledJobInfo.Status.ENQUEUED)));
                });
                held.whileHandingOn(scheduler,
                        () -> assertThat(scheduler.schedule(job, clock.instant())).isEqualTo(job.jobId()));
                assertThat(scheduler.listScheduled(10)).as("jobs stored").isEmpty();
                assertThat(scheduler.fireDue()).as("jobs handed on again").isZero();
                assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(job.jobId());
                assertThat(scheduler.status(job.jobId())).hasValue(ScheduledJobInfo.Status.ENQUEUED);
            }
            if (isolation != null) {
                try (Connection connection = pool.getConnection()) {
                    assertThat(connection.getTransactionIsolation()).as("the pool's isolation, given back")
                            .isEqualTo(isolation.equals("TRANSACTION_SERIALIZABLE")
                                    ? Connection.TRANSACTION_SERIALIZABLE : Connection.TRANSACTION_REPEATABLE_READ);
                }
            }
        }
    }
}
