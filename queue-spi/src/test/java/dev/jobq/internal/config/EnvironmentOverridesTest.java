package dev.jobq.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ConfigLoader: the seeds' environment overrides")
class EnvironmentOverridesTest {

    private static final String FILE = """
            worker:
              concurrency: 3
              pollInterval: 2s
              shutdownTimeout: 10s
            scheduler:
              enabled: true
              pollInterval: 5m
            """;

    @Test
    void overrideTheFile() {
        JobQueueConfig config = Load.yaml(FILE, Map.of(
                "QUEUE_CONCURRENCY", "10",
                "QUEUE_POLL_INTERVAL", "250",
                "QUEUE_SHUTDOWN_TIMEOUT", "2m",
                "SCHEDULER_ENABLED", "false",
                "SCHEDULER_POLL_INTERVAL", "30000"));

        assertThat(config.worker().concurrency()).isEqualTo(10);
        assertThat(config.worker().pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.worker().shutdownTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.scheduler().enabled()).isFalse();
        assertThat(config.scheduler().pollInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void leaveTheFileAloneWhenUnsetOrBlank() {
        JobQueueConfig config = Load.yaml(FILE, Map.of("QUEUE_CONCURRENCY", " ", "PATH", "/usr/bin"));

        assertThat(config.worker().concurrency()).isEqualTo(3);
        assertThat(config.worker().pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.scheduler().enabled()).isTrue();
        assertThat(config.scheduler().pollInterval()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void reportBadValuesUnderTheVariableName() {
        assertThat(Load.problems(FILE, Map.of(
                "QUEUE_CONCURRENCY", "0",
                "QUEUE_POLL_INTERVAL", "soon",
                "QUEUE_SHUTDOWN_TIMEOUT", "-5",
                "SCHEDULER_ENABLED", "maybe"))).containsExactly(
                "QUEUE_CONCURRENCY: must be ≥ 1, got 0",
                "QUEUE_POLL_INTERVAL: 'soon' is not a duration; write whole milliseconds (1000) or a duration "
                        + "with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like PT30S",
                "QUEUE_SHUTDOWN_TIMEOUT: '-5' is negative; durations here are 0 or more, e.g. 5 (milliseconds) or 5s",
                "SCHEDULER_ENABLED: must be true or false, got 'maybe'");
    }

    @Test
    @DisplayName("a bare -0 in a variable is 0 milliseconds, as -0s is 0 and 0 is 0 milliseconds: it was told it is "
            + "negative, e.g. 0")
    void readsABareMinusZeroAsZero() {
        // QUEUE_SHUTDOWN_TIMEOUT=-0 was "'-0' is negative; durations here are 0 or more, e.g. 0 (milliseconds) or 0s"
        for (String minusZero : new String[] {"-0", "-000", "- 0"}) {
            JobQueueConfig config = Load.yaml(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", minusZero));
            assertThat(config.worker().shutdownTimeout()).as(minusZero).isEqualTo(Duration.ZERO);
        }
        // a variable that refuses 0 is told what 0 and -0s are told
        assertThat(Load.problems(FILE, Map.of("QUEUE_POLL_INTERVAL", "-0")))
                .isEqualTo(Load.problems(FILE, Map.of("QUEUE_POLL_INTERVAL", "0")))
                .isEqualTo(Load.problems(FILE, Map.of("QUEUE_POLL_INTERVAL", "-0s")))
                .isNotEmpty();
    }

    @Test
    @DisplayName("a negative duration in a variable is said to be negative, as the file's is, not 'not a duration'")
    void saysANegativeDurationIsNegative() {
        assertThat(Load.problems(FILE, Map.of("QUEUE_POLL_INTERVAL", "-2s", "SCHEDULER_POLL_INTERVAL", " -1500 ")))
                .containsExactly(
                        "QUEUE_POLL_INTERVAL: '-2s' is negative; durations here are from 1ms to 1h, e.g. 2s",
                        "SCHEDULER_POLL_INTERVAL: '-1500' is negative; durations here are from 1ms to 1h, e.g. 1500 "
                                + "(milliseconds) or 1500s");
    }

    @Test
    @DisplayName("a minus before an ISO-8601 duration and another inside it, in a variable, is refused as the file's is, "
            + "where -P-1D was read as a day")
    void refusesAMinusBeforeAndInsideIso8601AsTheFileDoes() {
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", "-P-1D", "QUEUE_POLL_INTERVAL", "-PT-5S")))
                .containsExactly(
                        "QUEUE_POLL_INTERVAL: '-PT-5S' has a minus before the P and another after it, which ISO-8601 "
                                + "reads as plus; write 5s",
                        "QUEUE_SHUTDOWN_TIMEOUT: '-P-1D' has a minus before the P and another after it, which "
                                + "ISO-8601 reads as plus; write 1d");
    }

    @Test
    @DisplayName("a negative duration in ISO-8601 in a variable is refused as set, as -2s is, not as its milliseconds")
    void saysANegativeIsoDurationIsNegativeAsSet() {
        // each was "must be ≥ 0s, got -5000ms" and "must be ≥ 1ms, got PT-0.0005S"
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", "PT-5S", "QUEUE_POLL_INTERVAL", "-PT0.0005S")))
                .containsExactly(
                        "QUEUE_POLL_INTERVAL: '-PT0.0005S' is negative; durations here are from 1ms to 1h, e.g. 1ms",
                        "QUEUE_SHUTDOWN_TIMEOUT: 'PT-5S' is negative; durations here are 0 or more, e.g. 5s");
    }

    @Test
    @DisplayName("a negative duration with a unit too large to count is said to be negative, as the file's is, not "
            + "'not a duration' with the forms it already has")
    void saysANegativeDurationTooLargeToCountIsNegative() {
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", "-99999999999999999999s")))
                .containsExactly("QUEUE_SHUTDOWN_TIMEOUT: '-99999999999999999999s' is negative; durations here are 0 "
                        + "or more, e.g. 1d");
    }

    @Test
    @DisplayName("a negative duration beyond its variable's range is given an example the variable takes, as the "
            + "file's key is, not the value without its sign")
    void givesANegativeDurationBeyondItsVariablesRangeAnExampleItTakes() {
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", "-5d", "QUEUE_POLL_INTERVAL", "-1h30m",
                "SCHEDULER_POLL_INTERVAL", "-86400000"))).containsExactly(
                        "QUEUE_POLL_INTERVAL: '-1h30m' is negative; durations here are from 1ms to 1h, e.g. 1h",
                        "QUEUE_SHUTDOWN_TIMEOUT: '-5d' is negative; durations here are 0 or more, e.g. 1d",
                        "SCHEDULER_POLL_INTERVAL: '-86400000' is negative; durations here are from 1ms to 1h, e.g. 1h");
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", "-100000"))).as("100000s is beyond 1d")
                .containsExactly("QUEUE_SHUTDOWN_TIMEOUT: '-100000' is negative; durations here are 0 or more, "
                        + "e.g. 100000 (milliseconds)");
    }

    @Test
    void refusesAConcurrencyBeyondWhatTheWorkerCounts() {
        assertThat(Load.problems(FILE, Map.of("QUEUE_CONCURRENCY", "1073741824"))).containsExactly(
                "QUEUE_CONCURRENCY: must be ≤ 100000, got 1073741824");
    }

    @Test
    @DisplayName("a duration with a unit too large to count is refused as beyond the key's maximum, as bare "
            + "milliseconds are, not as 'not a duration' with the forms it already has")
    void refusesADurationWithAUnitTooLargeToCountAsTooLarge() {
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", "99999999999999999999s"))).containsExactly(
                "QUEUE_SHUTDOWN_TIMEOUT: must be ≤ 1d, got 99999999999999999999s");
    }

    @Test
    @DisplayName("milliseconds too many to count are refused with the value as the variable holds it, not with an 'ms' "
            + "it does not have")
    void refusesMillisecondsTooManyToCountWithTheValueAsSet() {
        assertThat(Load.problems(FILE, Map.of("QUEUE_POLL_INTERVAL", "99999999999999999999",
                "QUEUE_SHUTDOWN_TIMEOUT", "000000000000000000000030000"))).containsExactly(
                "QUEUE_POLL_INTERVAL: must be ≤ 1h, got 99999999999999999999 milliseconds");
    }

    @Test
    void schedulerEnabledTurnsOnASchedulerTheFileDoesNotMention() {
        JobQueueConfig config = Load.yaml("", Map.of("SCHEDULER_ENABLED", "true", "SCHEDULER_POLL_INTERVAL", "15s"));

        assertThat(config.scheduler()).isNotNull();
        assertThat(config.scheduler().enabled()).isTrue();
        assertThat(config.scheduler().type()).isEqualTo("jdbc");
        assertThat(config.scheduler().pollInterval()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void schedulerSettingsAloneDoNotCreateAScheduler() {
        JobQueueConfig config = Load.yaml("", Map.of("SCHEDULER_ENABLED", "false", "SCHEDULER_POLL_INTERVAL", "15s"));

        assertThat(config.scheduler()).isNull();
    }

    @Test
    @DisplayName("a 100,000-character value in a variable is cut in its refusal, its length said, as the file's is: it "
            + "was repeated whole, a negative one's twice")
    void cutsALongValueInItsRefusal() {
        String letters = "x".repeat(100_000);
        String digits = "9".repeat(100_000);
        assertThat(Load.problems(FILE, Map.of("QUEUE_POLL_INTERVAL", letters))).containsExactly(
                "QUEUE_POLL_INTERVAL: '" + "x".repeat(80) + "…' (100000 characters) is not a duration; write whole "
                        + "milliseconds (1000) or a duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 "
                        + "like PT30S");
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", "-" + "0".repeat(99_998) + "5s")))
                .containsExactly("QUEUE_SHUTDOWN_TIMEOUT: '-" + "0".repeat(79) + "…' (100001 characters) is negative; "
                        + "durations here are 0 or more, e.g. " + "0".repeat(151) + "…");
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", digits + "s"))).containsExactly(
                "QUEUE_SHUTDOWN_TIMEOUT: must be ≤ 1d, got " + "9".repeat(80) + "… (100001 characters)");
        assertThat(Load.problems(FILE, Map.of("QUEUE_POLL_INTERVAL", digits))).containsExactly(
                "QUEUE_POLL_INTERVAL: must be ≤ 1h, got " + "9".repeat(80) + "… milliseconds (100000 digits)");
        assertThat(Load.problems(FILE, Map.of("QUEUE_SHUTDOWN_TIMEOUT", "-P-" + "0".repeat(99_997) + "1D")))
                .containsExactly("QUEUE_SHUTDOWN_TIMEOUT: '-P-" + "0".repeat(77) + "…' (100002 characters) has a "
                        + "minus before the P and another after it, which ISO-8601 reads as plus; write 1d");
    }
}
