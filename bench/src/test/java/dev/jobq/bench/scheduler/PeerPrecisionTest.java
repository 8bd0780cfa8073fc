package dev.jobq.bench.scheduler;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** P7's scheduling, on the systems it compares (jobq and db-scheduler on a durable PostgreSQL, Quartz, JobRunr). */
class PeerPrecisionTest {

    /**
     * A job scheduled only after its instant (the lead used up by the systems scheduled before it, a
     * durable commit per job for jobq and for db-scheduler) starts late by its scheduling, not by its
     * scheduler: P7 must refuse to record that as the system's lateness, as B7 refuses it for jobq.
     */
    @Test
    void aJobScheduledOnlyAfterItsInstantFailsTheRunNamingIt() throws Exception {
        try (var postgres = DurablePostgres.start(); var systems = new PeerPrecision.Systems(postgres)) {
            Instant past = Instant.now().minusSeconds(5);

            assertThatThrownBy(() -> systems.scheduleAll(past, Duration.ofMillis(1), 1, new Random(0), true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("after its instant")
                    .hasMessageContaining("jobq:0");
        }
    }
}
