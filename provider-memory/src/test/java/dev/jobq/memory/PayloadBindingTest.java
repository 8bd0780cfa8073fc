package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueue;
import dev.jobq.JobRejectedException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A payload reaches its handler as the producer gave it, through the default mapper (docs/wire-format.md). */
class PayloadBindingTest {

    record Appointment(OffsetDateTime at, ZonedDateTime reminder, Instant created, LocalDate day, Duration length,
                       BigDecimal fee, long reference) {
    }

    @Test
    @DisplayName("java.time values keep their offset, and decimals and longs their digits, from enqueue to handler")
    void valuesArriveAsEnqueued() throws InterruptedException {
        var received = new LinkedBlockingQueue<Appointment>();
        try (JobQueue jobs = JobQueue.builder().concurrency(1).shutdownTimeout(Duration.ofSeconds(5)).build()) {
            jobs.registerJobHandler("appointment:remind", Appointment.class, (job, ctx) -> received.add(job.payload()));
            jobs.start();
            var sent = new Appointment(OffsetDateTime.parse("2026-03-01T09:30:00+05:30"),
                    ZonedDateTime.parse("2026-03-01T08:30:00-08:00"), Instant.parse("2026-02-01T10:00:00.123456789Z"),
                    LocalDate.of(2026, 3, 1), Duration.ofMinutes(45), new BigDecimal("12345678901234567890.123456789"),
                    Long.MAX_VALUE);
            jobs.enqueue("appointment:remind", sent);

            Appointment got = received.poll(10, TimeUnit.SECONDS);
            assertThat(got).isEqualTo(sent);
            assertThat(got.at().getOffset()).hasToString("+05:30");
        }
    }

    record PublicKey(String owner, BigInteger modulus) {
    }

    @Test
    @DisplayName("a payload the mapper writes but cannot read back (a number of more than 1000 digits) is refused at "
            + "enqueue, not dead-lettered by every worker")
    void aNumberLongerThanTheMapperReadsIsRefusedAtEnqueue() {
        // An RSA-4096 modulus: 1233 digits, which Jackson writes as one number and refuses to read, even from a string.
        var key = new PublicKey("ada", new BigInteger("7".repeat(1233)));
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThatThrownBy(() -> jobs.enqueue("key:rotate", key))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessage("payload of job type 'key:rotate' (dev.jobq.memory.PayloadBindingTest$PublicKey) is "
                            + "written as JSON the queue's ObjectMapper cannot read back (Number value length (1233) "
                            + "exceeds the maximum allowed (1000)), so every job of it would be dead-lettered unread; "
                            + "write a number that long as a string into a String field (Jackson refuses a BigInteger "
                            + "of more than 1000 digits as text too)");
            assertThatThrownBy(() -> jobs.enqueue("key:rotate", java.util.Map.of("k".repeat(50_001), 1)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("cannot read back (Name length (50001) exceeds the maximum allowed (50000)), "
                            + "so every job of it would be dead-lettered unread; keep field names (map keys) shorter");
            assertThat(jobs.stats("default").waiting()).isZero();
            // What only looks long to the first scan (digits and long text in strings) is taken.
            jobs.enqueue("key:rotate", new PublicKey("1".repeat(60_000), BigInteger.TEN.pow(999)));
            assertThat(jobs.stats("default").waiting()).isEqualTo(1);
        }
    }
}
