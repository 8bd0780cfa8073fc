package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobQueueException;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A scheduler whose database connection dies in the middle of a batch, on a real PostgreSQL:
 * {@code pg_terminate_backend} ends its sessions, as a crashed process or a cut network would, and
 * the server releases its row locks.
 */
@DisplayName("JDBC scheduler on PostgreSQL: a scheduler dies mid-batch")
class PostgresCrashTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final SettableClock clock = new SettableClock(T0);
    private final PostgresServer server = PostgresServer.get();
    private final String dyingUrl = server.newDatabase("jobq-dying");
    private final String survivorUrl = server.url(PostgresServer.databaseOf(dyingUrl), "jobq-survivor");
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
    private final CountDownLatch inTheMiddle = new CountDownLatch(1);
    private final CountDownLatch carryOn = new CountDownLatch(1);
    private final AtomicReference<Throwable> dyingBatchFailure = new AtomicReference<>();

    @AfterEach
    void close() throws Exception {
        carryOn.countDown();
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    @Test
    void rowsClaimedByASchedulerThatDiesBeforeHandingThemOnAreHandedOnOnceBySurvivors() throws Exception {
        JobSink diesOnFirstJob = envelope -> {
            inTheMiddle.countDown();
            awaitQuietly(carryOn);
            throw new JobQueueException("the process died before handing job " + envelope.jobId() + " on");
        };
        var dying = open(dyingUrl, diesOnFirstJob);
        JdbcSchedulerContract.storeDueJobs(dying, 200, T0);
        var survivorSink = new RecordingSink(clock);
        var survivor = open(survivorUrl, survivorSink);

        Thread batch = runInBackground(dying);
        assertThat(inTheMiddle.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the dying scheduler claimed a batch").isTrue();
        assertThat(server.terminate("jobq-dying")).isPositive();

        assertThat(survivor.fireDue()).isEqualTo(200);
        carryOn.countDown();
        batch.join(WAIT.toMillis());
        assertThat(dyingBatchFailure.get()).as("the dying scheduler's batch").isInstanceOf(JobQueueException.class);
        // Recovered (a new connection from its pool), the scheduler that died finds nothing left to do.
        await().atMost(WAIT).ignoreExceptionsInstanceOf(JobQueueException.class).until(() -> dying.fireDue() == 0);

        assertThat(survivorSink.distinctIds()).isEqualTo(200);
        assertThat(survivorSink.duplicates()).isEmpty();
        assertThat(survivor.listScheduled(10)).isEmpty();
    }

    @Test
    void jobsHandedOnJustBeforeTheCrashAreHandedOnAgainUnderTheSameIdsAndTheProviderKeepsOneOfEach()
            throws Exception {
        QueueProvider provider = MemoryProviderFactory.builder().clock(clock).build();
        opened.add(provider);
        var handedOn = new AtomicInteger();
        JobSink diesBeforeCommit = envelope -> {
            EnqueueResult result = provider.enqueue(envelope, Duration.ZERO);
            if (handedOn.incrementAndGet() == 50) {
                // the whole batch is with the provider; the process dies before its transaction commits
                inTheMiddle.countDown();
                awaitQuietly(carryOn);
                throw new JobQueueException("the process died before committing");
            }
            return result;
        };
        var duplicates = new AtomicInteger();
        JobSink survivorSink = envelope -> {
            EnqueueResult result = provider.enqueue(envelope, Duration.ZERO);
            if (result.duplicate()) {
                duplicates.incrementAndGet();
            }
            return result;
        };
        var dying = open(dyingUrl, diesBeforeCommit);
        JdbcSchedulerContract.storeDueJobs(dying, 120, T0);
        var survivor = open(survivorUrl, survivorSink);

        Thread batch = runInBackground(dying);
        assertThat(inTheMiddle.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(server.terminate("jobq-dying")).isPositive();

        assertThat(survivor.fireDue()).isEqualTo(120);
        carryOn.countDown();
        batch.join(WAIT.toMillis());
        assertThat(dyingBatchFailure.get()).as("the dying scheduler's batch").isInstanceOf(JobQueueException.class);

        assertThat(duplicates.get()).as("jobs the provider already held").isEqualTo(50);
        assertThat(provider.stats().waiting()).isEqualTo(120);
    }

    @Test
    void rowsHeldByASchedulerWhoseMachineFellSilentAreFreedAfterItsClaimTimeout() throws Exception {
        assertSilentSchedulersRowsAreFreed(JdbcSchedulerFactory.builder().jdbcUrl(dyingUrl));
    }

    @Test
    void rowsHeldThroughTheApplicationsDataSourceAreFreedAfterTheClaimTimeoutToo() throws Exception {
        var dataSource = new PGSimpleDataSource();
        dataSource.setUrl(dyingUrl);
        assertSilentSchedulersRowsAreFreed(JdbcSchedulerFactory.builder().dataSource(dataSource));
    }

    /**
     * A scheduler stops in the middle of a batch and its connection stays open without a word, as when
     * its machine loses power or its network: the server hears nothing, and only its TCP keepalive
     * (two hours by default) would end the session. With a claim timeout of a second the server ends
     * it and a survivor hands on every row, the held ones included.
     */
    private void assertSilentSchedulersRowsAreFreed(JdbcSchedulerFactory.Builder silentOne) throws Exception {
        JobSink fallsSilent = envelope -> {
            inTheMiddle.countDown();
            awaitQuietly(carryOn);
            return EnqueueResult.accepted(envelope.jobId());
        };
        var silent = open(silentOne.batchSize(50).claimTimeout(Duration.ofSeconds(1)), fallsSilent);
        var survivorSink = new RecordingSink(clock);
        var survivor = open(survivorUrl, survivorSink);
        // Stored through the survivor: on the silent one's sessions a stall of a second between the
        // 200 inserts of one transaction (a loaded machine) would end it by the claim timeout.
        JdbcSchedulerContract.storeDueJobs(survivor, 200, T0);

        runInBackground(silent);
        assertThat(inTheMiddle.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the scheduler claimed a batch").isTrue();

        var handedOn = new AtomicInteger();
        await().atMost(WAIT).until(() -> handedOn.addAndGet(survivor.fireDue()) == 200);
        assertThat(survivorSink.distinctIds()).isEqualTo(200);
        assertThat(survivor.listScheduled(10)).isEmpty();
    }

    private JdbcJobScheduler open(String url, JobSink sink) {
        return open(JdbcSchedulerFactory.builder().jdbcUrl(url).batchSize(50), sink);
    }

    private JdbcJobScheduler open(JdbcSchedulerFactory.Builder builder, JobSink sink) {
        JdbcJobScheduler scheduler = builder.buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        opened.add(scheduler);
        return scheduler;
    }

    /** Runs one pass of {@code scheduler} on a thread of its own; its failure lands in {@link #dyingBatchFailure}. */
    private Thread runInBackground(JdbcJobScheduler scheduler) {
        return Thread.ofPlatform().name("dying-scheduler").start(() -> {
            try {
                scheduler.fireDue();
            } catch (RuntimeException expected) {
                dyingBatchFailure.set(expected);
            }
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
