package dev.jobq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class EnqueueOptionsTest {

    @Test
    void unsetOptionsKeepTheDefaults() {
        assertThat(EnqueueOptions.none().resolve(JobOptions.defaults())).isSameAs(JobOptions.defaults());
    }

    @Test
    void setOptionsWinOverDefaults() {
        JobOptions resolved = EnqueueOptions.builder().maxAttempts(5).priority(-3).queue("reports")
                .deduplicationKey("order-42").timeout(Duration.ofMinutes(2)).build().resolve(JobOptions.defaults());
        assertThat(resolved).isEqualTo(new JobOptions(5, Duration.ofMinutes(2), -3, "order-42", "reports"));
    }

    @Test
    void optionsWithTheSameValuesAreEqualAndSoAreRecurringJobsBuiltWithThem() {
        // RecurringJob is a record with EnqueueOptions in it: its equals is only as good as theirs.
        Supplier<EnqueueOptions> options = () -> EnqueueOptions.builder().queue("reports").maxAttempts(5)
                .timeout(Duration.ofMinutes(1)).priority(-1).deduplicationKey("k").traceId("t").build();

        assertThat(options.get()).isEqualTo(options.get()).hasSameHashCodeAs(options.get())
                .isNotEqualTo(options.get().toBuilder().priority(0).build());
        assertThat(EnqueueOptions.delay(Duration.ofSeconds(5))).isEqualTo(EnqueueOptions.delay(Duration.ofSeconds(5)))
                .isNotEqualTo(EnqueueOptions.delay(Duration.ofSeconds(6)))
                .isNotEqualTo(EnqueueOptions.none());
        Supplier<RecurringJob> job = () -> RecurringJob.builder("nightly-report", "report:build").schedule("0 2 * * *")
                .options(EnqueueOptions.queue("reports")).build();
        assertThat(job.get()).isEqualTo(job.get()).hasSameHashCodeAs(job.get());
    }

    @Test
    void delayAndScheduledForAreExclusive() {
        assertThatThrownBy(() -> EnqueueOptions.builder().delay(Duration.ofSeconds(1))
                .scheduledFor(Instant.parse("2026-12-25T09:00:00Z")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("either delay or scheduledFor");
    }

    @Test
    void badValuesNameTheValue() {
        assertThatThrownBy(() -> EnqueueOptions.builder().maxAttempts(0).build())
                .hasMessage("maxAttempts must be ≥ 1, got 0");
        assertThatThrownBy(() -> EnqueueOptions.delay(Duration.ofSeconds(-5)))
                .hasMessage("delay must be ≥ 0, got PT-5S");
        assertThatThrownBy(() -> EnqueueOptions.builder().timeout(Duration.ZERO).build())
                .hasMessage("timeout must be positive, got PT0S");
        assertThatThrownBy(() -> EnqueueOptions.builder().traceId(" ").build())
                .hasMessage("traceId must be 1 to 255 characters without control characters, got ' '; a W3C "
                        + "traceparent or an OpenTelemetry trace id fits; leave it unset for none");
        assertThatThrownBy(() -> EnqueueOptions.builder().traceId("t".repeat(256)).build())
                .hasMessageContaining("got '" + "t".repeat(80) + "…' (256 characters)");
        assertThatThrownBy(() -> EnqueueOptions.builder().traceId("a\nb").build())
                .hasMessageContaining("without control characters");
        assertThat(EnqueueOptions.builder().traceId("t".repeat(255)).build().traceId()).hasSize(255);
    }

    @Test
    void aRefusedTraceIdIsRepeatedWithItsControlCharactersEscapedAndNotCutInsideAnEmoji() {
        // it repeated the trace id raw: a newline or an ANSI escape in it went into the message and the log line that
        // carries it, and the cut after 80 characters kept the first half of an emoji that straddled it ('\ud83d')
        assertThatThrownBy(() -> EnqueueOptions.builder().traceId("abc\n\u001b[31mforged").build())
                .hasMessageContaining("got 'abc\\n\\u001b[31mforged';");
        String straddling = "t".repeat(79) + "\uD83D\uDE00" + "t".repeat(200);
        assertThatThrownBy(() -> EnqueueOptions.builder().traceId(straddling).build())
                .hasMessageContaining("got '" + "t".repeat(79) + "…' (281 characters);");
    }

    @Test
    void timeoutMustFitWholeMillisecondsInALong() {
        // timeoutMs 0 is refused by every worker; beyond Long.MAX_VALUE ms it could not be written at all.
        assertThatThrownBy(() -> EnqueueOptions.builder().timeout(Duration.ofNanos(999_999)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("timeout must be at least 1 ms, got PT0.000999999S");
        assertThatThrownBy(() -> EnqueueOptions.builder().timeout(Duration.ofSeconds(Long.MAX_VALUE)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("timeout must be at most 9223372036854775807 ms, got PT2562047788015215H30M7S")
                .hasMessageContaining("Duration.ofDays(365)");
        assertThatThrownBy(() -> new JobOptions(3, Duration.ofNanos(1), 0, null, "default"))
                .hasMessageStartingWith("timeout must be at least 1 ms");
        assertThat(EnqueueOptions.builder().timeout(Duration.ofMillis(1)).build().timeout()).isEqualTo(Duration.ofMillis(1));
        assertThat(EnqueueOptions.builder().timeout(Duration.ofMillis(Long.MAX_VALUE)).build().timeout())
                .isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
    }

    @Test
    void scheduledForMustHaveAFourDigitYear() {
        // Instant.MIN ran the job at once but wrote "-1000000000-01-01T00:00:00Z" into its envelope.
        assertThatThrownBy(() -> EnqueueOptions.at(Instant.MIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("scheduledFor must be in the years 1 to 9999, got -1000000000-01-01T00:00:00Z")
                .hasMessageContaining("for 'now' give Instant.now() or leave it unset");
        assertThatThrownBy(() -> EnqueueOptions.at(Instant.parse("+10000-01-01T00:00:00Z")))
                .hasMessageStartingWith("scheduledFor must be in the years 1 to 9999, got +10000-01-01T00:00:00Z");
        Instant first = Instant.parse("0001-01-01T00:00:00Z");
        Instant last = Instant.parse("9999-12-31T23:59:59.999999999Z");
        assertThat(EnqueueOptions.at(first).scheduledFor()).isEqualTo(first);
        assertThat(EnqueueOptions.at(last).scheduledFor()).isEqualTo(last);
    }
}
