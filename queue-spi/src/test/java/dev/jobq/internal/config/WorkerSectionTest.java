package dev.jobq.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.WorkerMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("ConfigLoader: worker:")
class WorkerSectionTest {

    private static final String TWO_QUEUES = "queues:\n  reports: { type: memory }\n";

    @Test
    void usesTheDefaultsForAnAbsentSection() {
        WorkerSettings worker = Load.yaml("").worker();

        assertThat(worker.mode()).isEqualTo(WorkerMode.IN_PROCESS);
        assertThat(worker.queues()).isEmpty();
        assertThat(worker.concurrency()).isEqualTo(5);
        assertThat(worker.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(worker.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsEveryKey() {
        WorkerSettings worker = Load.yaml(TWO_QUEUES + """
                worker:
                  mode: standalone
                  queues: [reports, default]
                  concurrency: 20
                  pollInterval: 500ms
                  shutdownTimeout: PT1M30S
                """).worker();

        assertThat(worker.mode()).isEqualTo(WorkerMode.STANDALONE);
        assertThat(worker.queues()).containsExactly("reports", "default");
        assertThat(worker.concurrency()).isEqualTo(20);
        assertThat(worker.pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(worker.shutdownTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "30s, PT30S", "5m, PT5M", "1h, PT1H", "PT2M, PT2M"})
    void readsDurationsWithUnitsAndIso(String written, Duration expected) {
        assertThat(Load.yaml("worker:\n  shutdownTimeout: " + written + "\n").worker().shutdownTimeout())
                .isEqualTo(expected);
    }

    @Test
    void asksForAUnitOnABareNumber() {
        assertThat(Load.problems("worker:\n  shutdownTimeout: 30\n")).containsExactly(
                "worker.shutdownTimeout: '30' has no unit; write 30ms, 30s or 30m");
    }

    @ParameterizedTest
    @ValueSource(strings = {"999999999999999d", "9999999999999999h", "999999999999999999m",
            "1h 99999999999999999999s"})
    @DisplayName("a duration too large to hold is refused by its key as beyond the key's maximum, with the maximum, "
            + "as QUEUE_SHUTDOWN_TIMEOUT and a whole number too large are, not as 'too large for a duration'")
    void refusesADurationTooLargeToHoldByItsKeyWithItsMaximum(String written) {
        assertThat(Load.problems("worker:\n  shutdownTimeout: " + written + "\n")).containsExactly(
                "worker.shutdownTimeout: must be ≤ 1d, got " + written);
    }

    @Test
    @DisplayName("a backoff delay too large to hold is refused as beyond the backoff's maximum, as the ranged keys are")
    void refusesABackoffDelayTooLargeToHoldWithItsMaximum() {
        // fixed's delay and list's delays are read without a range and checked after: they said "too large for a
        // duration", where base and max beside them, and the same delay under its maximum, say "must be ≤ 365d"
        assertThat(Load.problems("worker:\n  backoff: {type: fixed, delay: 99999999999999999999s}\n"))
                .containsExactly("worker.backoff.delay: must be ≤ 365d, got 99999999999999999999s");
        // out of its range, as before
        assertThat(Load.problems("worker:\n  backoff: {type: fixed, delay: 366d}\n"))
                .containsExactly("worker.backoff.delay: must be ≤ 365d, got 366d");
        assertThat(Load.problems("worker:\n  backoff: {type: fixed, delay: PT-5S}\n"))
                .containsExactly("worker.backoff.delay: 'PT-5S' is negative; durations here are 0 or more, e.g. 5s");
        assertThat(Load.problems("worker:\n  backoff: {type: list, delays: [5s, 1h 99999999999999999999s]}\n"))
                .containsExactly("worker.backoff.delays[1]: must be ≤ 365d, got 1h 99999999999999999999s");
    }

    @Test
    void refusesAWholeNumberBeyondALongRatherThanWrappingIt() {
        // 2^64 + 5: its low 64 bits are 5, a valid concurrency
        assertThat(Load.problems("worker:\n  concurrency: 18446744073709551621\n")).containsExactly(
                "worker.concurrency: must be ≤ 100000, got 18446744073709551621");
    }

    @Test
    void refusesAConcurrencyBeyondWhatTheWorkerCounts() {
        // Before, accepted: 2^30 overflowed the worker's count of settling threads (2 × concurrency).
        assertThat(Load.problems("worker:\n  concurrency: 1073741824\n")).containsExactly(
                "worker.concurrency: must be ≤ 100000, got 1073741824");
        assertThat(Load.yaml("worker:\n  concurrency: 100000\n").worker().concurrency()).isEqualTo(100_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1_000", "1,000", "'1 000'"})
    void saysToWriteAWholeNumberWithoutDigitSeparators(String written) {
        // YAML 1.1 and Java read 1_000 as a thousand; the YAML reader here gives the text, so say what to write.
        assertThat(Load.problems("worker:\n  concurrency: " + written + "\n")).containsExactly(
                "worker.concurrency: must be a whole number, got '" + written.replace("'", "")
                        + "'; write it without digit separators, e.g. 1000");
    }

    @Test
    void refusesAZeroPollInterval() {
        assertThat(Load.problems("worker:\n  pollInterval: 0s\n")).containsExactly(
                "worker.pollInterval: must be ≥ 1ms, got 0s");
    }

    @Test
    void refusesAnUnknownMode() {
        assertThat(Load.problems("worker:\n  mode: sideways\n")).containsExactly(
                "worker.mode: must be one of in-process, standalone, got 'sideways'");
    }

    @Test
    void refusesAQueueThatIsNotConfigured() {
        assertThat(Load.problems(TWO_QUEUES + "worker:\n  queues: [default, reprots]\n")).containsExactly(
                "worker.queues: 'reprots' is not a configured queue (configured: default, reports); add it under "
                        + "queues: or remove it here");
    }

    @Test
    @DisplayName("a queue whose section is broken is reported once, there, not again as unconfigured in worker.queues")
    void reportsABrokenQueueSectionOnceNotAgainInWorkerQueues() {
        assertThat(Load.problems("queues:\n  reports: memory\nworker:\n  queues: [default, reports]\n"))
                .containsExactly("queues.reports: must be a section of keys, got 'memory'; write the provider as its "
                        + "type: reports: {type: memory}");
    }

    @Test
    @DisplayName("a negative duration is called negative, not 'not a duration with a unit' when it has one")
    void refusesANegativeDurationSayingSo() {
        assertThat(Load.problems("worker:\n  shutdownTimeout: -5s\n  pollInterval: -30m\n")).containsExactly(
                "worker.pollInterval: '-30m' is negative; durations here are from 1ms to 1h, e.g. 30m",
                "worker.shutdownTimeout: '-5s' is negative; durations here are 0 or more, e.g. 5s");
    }

    @Test
    @DisplayName("a negative duration in ISO-8601 is refused as written, as -5s is, not as the milliseconds it reads as")
    void refusesANegativeIsoDurationAsWritten() {
        // each was "must be ≥ 0s, got -5000ms" (≥ 1ms, ≥ base): a value the file does not hold, worded unlike -5s's
        assertThat(Load.problems("worker:\n  shutdownTimeout: PT-5S\n  pollInterval: PT-0.0005S\n")).containsExactly(
                "worker.pollInterval: 'PT-0.0005S' is negative; durations here are from 1ms to 1h, e.g. 1ms",
                "worker.shutdownTimeout: 'PT-5S' is negative; durations here are 0 or more, e.g. 5s");
        assertThat(Load.problems("worker:\n  shutdownTimeout: -PT5S\n  pollInterval: -PT1H30M\n")).containsExactly(
                "worker.pollInterval: '-PT1H30M' is negative; durations here are from 1ms to 1h, e.g. 1h",
                "worker.shutdownTimeout: '-PT5S' is negative; durations here are 0 or more, e.g. 5s");
        assertThat(Load.problems("worker:\n  backoff: {type: fixed, delay: PT-0.0005S}\n")).containsExactly(
                "worker.backoff.delay: 'PT-0.0005S' is negative; durations here are 0 or more, e.g. PT0.0005S");
        assertThat(Load.problems("worker:\n  backoff: {type: list, delays: [5s, -PT5S]}\n")).containsExactly(
                "worker.backoff.delays[1]: '-PT5S' is negative; durations here are 0 or more, e.g. 5s");
        assertThat(Load.problems("worker:\n  backoff: {type: exponential, base: PT-5S}\n")).containsExactly(
                "worker.backoff.base: 'PT-5S' is negative; durations here are 0 or more, e.g. 5s");
        // too far below zero to negate: the most the key takes
        assertThat(Load.problems("worker:\n  shutdownTimeout: PT-2562047788015215H-30M-8S\n")).containsExactly(
                "worker.shutdownTimeout: 'PT-2562047788015215H-30M-8S' is negative; durations here are 0 or more, "
                        + "e.g. 1d");
    }

    @Test
    @DisplayName("a negative duration beyond its key's range is given an example the key takes, not the value "
            + "without its sign, which the key refuses in turn")
    void givesANegativeDurationBeyondItsKeysRangeAnExampleItTakes() {
        assertThat(Load.problems("worker:\n  shutdownTimeout: -5d\n  pollInterval: -1h30m\n")).containsExactly(
                "worker.pollInterval: '-1h30m' is negative; durations here are from 1ms to 1h, e.g. 1h",
                "worker.shutdownTimeout: '-5d' is negative; durations here are 0 or more, e.g. 1d");
        // -0ms is 0 (e97b82cc), refused as 0s is
        assertThat(Load.problems("worker:\n  shutdownTimeout: -99999999999999999999s\n  pollInterval: -0ms\n"))
                .containsExactly(
                        "worker.pollInterval: must be ≥ 1ms, got 0s",
                        "worker.shutdownTimeout: '-99999999999999999999s' is negative; durations here are 0 or more, "
                                + "e.g. 1d");
    }

    @Test
    @DisplayName("an ISO-8601 duration too far below zero to count in milliseconds is a problem of its key, not an "
            + "ArithmeticException out of the loader")
    void refusesAHugeNegativeIsoDurationAsAProblemOfItsKey() {
        assertThat(Load.problems("worker:\n  shutdownTimeout: PT-9999999999999H\n  pollInterval: PT-9999999999999H\n"))
                .containsExactly(
                        "worker.pollInterval: 'PT-9999999999999H' is negative; durations here are from 1ms to 1h, "
                                + "e.g. 1h",
                        "worker.shutdownTimeout: 'PT-9999999999999H' is negative; durations here are 0 or more, "
                                + "e.g. 1d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "''", "${WORKER_QUEUES:-}"})
    @DisplayName("an empty list (a variable left unset) is refused, not read as every queue: such a worker would take "
            + "jobs of queues it has no handlers for and dead-letter them")
    void refusesAnEmptyList(String written) {
        assertThat(Load.problems(TWO_QUEUES + "worker:\n  queues: " + written + "\n")).containsExactly(
                "worker.queues: is empty; list the queues this worker serves (configured: default, reports), or leave "
                        + "the key out to serve every configured queue");
    }

    @Test
    @DisplayName("an empty item of a list (`-` alone, a variable left unset) is left out, as an empty part of a "
            + "comma-separated list is, not read as a queue named 'null'")
    void leavesOutAnEmptyItemOfAList() {
        assertThat(Load.yaml(TWO_QUEUES + "worker:\n  queues:\n    - reports\n    -\n    - ${EXTRA:-}\n").worker().queues())
                .containsExactly("reports");
        assertThat(Load.problems(TWO_QUEUES + "worker:\n  queues:\n    -\n")).containsExactly(
                "worker.queues: is empty; list the queues this worker serves (configured: default, reports), or leave "
                        + "the key out to serve every configured queue");
    }

    @Test
    @DisplayName("a section of keys where a list belongs ({ } written for [ ]) is refused as such, once, not read as "
            + "queues named '{reports=null' and 'default=null}'")
    void refusesASectionOfKeysWhereAListBelongs() {
        assertThat(Load.problems(TWO_QUEUES + "worker:\n  queues: {reports, default}\n")).containsExactly(
                "worker.queues: must be a list, got a section of keys (reports, default); write [reports, default], "
                        + "in square brackets, or each item on a line of its own after '- '");
        assertThat(Load.problems("worker:\n  backoff: {type: list, delays: {5s: 1m}}\n")).containsExactly(
                "worker.backoff.delays: must be a list, got a section of keys (5s: 1m); write [5s, 1m], in square "
                        + "brackets, or each item on a line of its own after '- '");
    }

    /** {5s: 1m}, a colon for a comma, was told "write [5s]": the advice dropped the value 1m the user wrote. */
    @Test
    @DisplayName("a section of keys where a list belongs is told as a list of its keys and values, losing none")
    void aSectionOfKeysWhereAListBelongsIsToldWithItsValues() {
        assertThat(Load.problems("worker:\n  backoff: {type: list, delays: {5s: 1m, 10m: }}\n")).containsExactly(
                "worker.backoff.delays: must be a list, got a section of keys (5s: 1m, 10m); write [5s, 1m, 10m], in "
                        + "square brackets, or each item on a line of its own after '- '");
        assertThat(Load.problems(TWO_QUEUES + "worker:\n  queues:\n    reports: default\n")).containsExactly(
                "worker.queues: must be a list, got a section of keys (reports: default); write [reports, default], in "
                        + "square brackets, or each item on a line of its own after '- '");
    }

    @Test
    @DisplayName("a section of keys where a list belongs is told with the value of each key named like a secret in it "
            + "masked, as that key's own value is")
    void aSectionOfKeysWhereAListBelongsIsToldWithoutItsSecrets() {
        assertThat(Load.problems(TWO_QUEUES + "worker:\n  queues:\n    reports: {password: hunter2}\n"
                + "    api_token: hunter3\n")).containsExactly(
                "worker.queues: must be a list, got a section of keys (reports: {password=****}, api_token: ****); "
                        + "write [reports, {password=****}, api_token, ****], in square brackets, or each item on a "
                        + "line of its own after '- '");
    }

    /** queues: {} was told "write [], in square brackets", and [] is then refused as empty. */
    @Test
    @DisplayName("an empty section where a list belongs is the empty list's problem, not advised to be written []")
    void anEmptySectionWhereAListBelongsIsToldAsAnEmptyList() {
        assertThat(Load.problems(TWO_QUEUES + "worker:\n  queues: {}\n"))
                .containsExactlyElementsOf(Load.problems(TWO_QUEUES + "worker:\n  queues: []\n"))
                .singleElement().asString().startsWith("worker.queues: is empty; list the queues this worker serves");
        assertThat(Load.problems("worker:\n  backoff: {type: list, delays: {}}\n"))
                .containsExactlyElementsOf(Load.problems("worker:\n  backoff: {type: list, delays: []}\n"))
                .singleElement().asString().startsWith("worker.backoff.delays: is required for type list");
    }

    @Test
    @DisplayName("a backoff written as its type alone (backoff: exponential, as BullMQ's string form) is told how to "
            + "write it as a section, as provider: sqs is, and scheduler: true as scheduler: {enabled: true}")
    void tellsHowToWriteASectionGivenAsItsTypeOrSwitch() {
        assertThat(Load.problems("worker:\n  backoff: exponential\n")).containsExactly("worker.backoff: must be a "
                + "section of keys, got 'exponential'; write the policy as its type: backoff: {type: exponential}");
        assertThat(Load.problems("scheduler: true\n")).containsExactly("scheduler: must be a section of keys, got "
                + "'true'; write scheduler: {enabled: true}");
        assertThat(Load.problems("scheduler: no\n")).containsExactly("scheduler: must be a section of keys, got 'no'; "
                + "for no scheduler leave scheduler: out (scheduler: {enabled: false} keeps one that another process "
                + "fires)");
    }

    /** backoff: 5s and backoff: [5s, 1m] were told "write its keys on the lines below backoff:", naming none. */
    @Test
    @DisplayName("a backoff written as a delay or a list of delays alone is told the policy that takes it")
    void tellsHowToWriteABackoffGivenAsItsDelays() {
        assertThat(Load.problems("worker:\n  backoff: 5s\n")).containsExactly("worker.backoff: must be a section of "
                + "keys, got '5s'; write the same wait after every attempt as backoff: {type: fixed, delay: 5s}");
        assertThat(Load.problems("worker:\n  backoff: [5s, 1m]\n")).containsExactly("worker.backoff: must be a section "
                + "of keys, got '[5s, 1m]'; write a wait for each attempt as backoff: {type: list, delays: [5s, 1m]}");
    }

    @Test
    void refusesAQueueListedTwice() {
        assertThat(Load.problems("worker:\n  queues: [default, default]\n")).containsExactly(
                "worker.queues: lists 'default' twice; list each queue once, in the order they are served");
    }

    @Nested
    @DisplayName("backoff:")
    class BackoffSection {

        private Backoff backoff(String section) {
            return Load.yaml("worker:\n  backoff:\n" + section.indent(4)).worker().backoff();
        }

        @Test
        void defaultsToExponentialFromOneSecondWithJitter() {
            Backoff backoff = Load.yaml("").worker().backoff();

            assertThat(backoff.delay(1)).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
            assertThat(backoff.delay(3)).isBetween(Duration.ofSeconds(4), Duration.ofMillis(4800));
        }

        @Test
        void readsExponential() {
            Backoff backoff = backoff("type: exponential\nbase: 2s\nmax: 10s\njitter: 0\n");

            assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(2));
            assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(4));
            assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(8));
            assertThat(backoff.delay(4)).isEqualTo(Duration.ofSeconds(10));
        }

        @Test
        void addsOnlyJitterWithinTheFraction() {
            Backoff backoff = backoff("type: fixed\ndelay: 10s\njitter: 0.5\n");

            for (int attempt = 1; attempt <= 20; attempt++) {
                assertThat(backoff.delay(attempt)).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(15));
            }
        }

        @Test
        void readsFixed() {
            Backoff backoff = backoff("type: fixed\ndelay: 10s\n");

            assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(10));
            assertThat(backoff.delay(7)).isEqualTo(Duration.ofSeconds(10));
        }

        @Test
        void readsAListAndRepeatsItsLastDelay() {
            Backoff backoff = backoff("type: list\ndelays: [5s, 1m]\n");

            assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(5));
            assertThat(backoff.delay(2)).isEqualTo(Duration.ofMinutes(1));
            assertThat(backoff.delay(3)).isEqualTo(Duration.ofMinutes(1));
        }

        @Test
        void readsNone() {
            assertThat(backoff("type: none\n").delay(4)).isZero();
        }

        @Test
        void knowsOnlyTheKeysOfTheChosenType() {
            assertThat(Load.problems("worker:\n  backoff:\n    type: exponential\n    delay: 5s\n")).containsExactly(
                    "worker.backoff.delay: unknown key (known keys here: type, base, max, jitter)");
        }

        @Test
        void reportsEachBadValue() {
            assertThat(Load.problems("""
                    worker:
                      backoff:
                        type: exponential
                        base: 10s
                        max: 5s
                        jitter: 1.5
                    """)).containsExactly(
                    "worker.backoff.max: must be ≥ base (10s), got 5s",
                    "worker.backoff.jitter: must be a fraction of the delay from 0 to 1 (0.2 adds up to 20 %), got '1.5'");
        }

        /** configuration.md: numbers are plain decimal; Double.parseDouble also reads Java's hex and suffixed forms. */
        @Test
        void refusesAJitterThatIsNotAPlainDecimal() {
            assertThat(Load.problems("worker:\n  backoff: { jitter: 0x1p-1 }\n")).containsExactly(
                    "worker.backoff.jitter: must be a fraction of the delay from 0 to 1 (0.2 adds up to 20 %), got '0x1p-1'");
            assertThat(Load.problems("worker:\n  backoff: { type: fixed, delay: 1s, jitter: 0.5d }\n")).containsExactly(
                    "worker.backoff.jitter: must be a fraction of the delay from 0 to 1 (0.2 adds up to 20 %), got '0.5d'");
        }

        /** An empty item (a variable left unset) left out would move every later delay one attempt earlier. */
        @Test
        void refusesAnEmptyItemOfTheDelays() {
            assertThat(Load.problems("worker:\n  backoff: { type: list, delays: [5s, \"${X:-}\", 10m] }\n"))
                    .containsExactly("worker.backoff.delays[1]: is empty; write a duration such as 1m there, or remove "
                            + "the item (the delays are the waits after attempt 1, 2, … in order)");
            assertThat(Load.problems("worker:\n  backoff: { type: list, delays: '5s,,10m' }\n"))
                    .containsExactly("worker.backoff.delays[1]: is empty; write a duration such as 1m there, or remove "
                            + "the item (the delays are the waits after attempt 1, 2, … in order)");
        }

        /** A variable read from an empty file holds its newline alone: no list, as an empty value is, not an item. */
        @Test
        void readsDelaysOfBlanksAloneAsAbsent() {
            assertThat(Load.problems("worker:\n  backoff: { type: list, delays: \"${D}\" }\n", Map.of("D", " \n")))
                    .containsExactly("worker.backoff.delays: is required for type list; write e.g. delays: [5s, 1m, 10m]");
        }

        @Test
        void saysTheDefaultMaxIsBelowABaseAboveIt() {
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 2h }\n")).containsExactly(
                    "worker.backoff.max: is 1h when not written, less than base (2h); write max: 2h or more");
        }

        /** A base past max by less than a millisecond was shown as max: "must be ≥ base (10s), got 10s". */
        @Test
        void showsABasePastMaxByLessThanAMillisecondAsWrittenNotAsMax() {
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: PT10.0005S, max: 10s }\n"))
                    .containsExactly("worker.backoff.max: must be ≥ base (PT10.0005S), got 10s");
            // the fix offered, "write max: 1h or more", was refused again
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: PT1H0.0005S }\n")).containsExactly(
                    "worker.backoff.max: is 1h when not written, less than base (PT1H0.0005S); write max: PT1H0.0005S "
                            + "or more");
        }

        @Test
        @DisplayName("a max without a unit, or a negative one, is given only the forms it takes: from base up")
        void aMaxWithoutAUnitIsGivenOnlyTheFormsFromBaseUp() {
            // 5 was offered 5ms and 5s, and -5s told e.g. 5s, each refused once written as under base (10s)
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 10s, max: 5 }\n")).containsExactly(
                    "worker.backoff.max: '5' has no unit; write 5m or 5h");
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 10s, max: -5s }\n"))
                    .containsExactly("worker.backoff.max: '-5s' is negative; durations here are from 10s to "
                            + "365d, e.g. 10s");
        }

        @Test
        @DisplayName("a max that does not read, under a base finer than a millisecond, is advised the base as written")
        void aMaxThatDoesNotReadIsAdvisedABaseFinerThanAMillisecondExactly() {
            // -5s was told e.g. 10s, and 0 a duration from 1m, each then refused as under base
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: PT10.0005S, max: -5s }\n"))
                    .containsExactly("worker.backoff.max: '-5s' is negative; durations here are from "
                            + "PT10.0005S to 365d, e.g. PT10.0005S");
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: PT1M0.0005S, max: 0 }\n"))
                    .containsExactly("worker.backoff.max: '0' has no unit, and is out of range in any of ms, s, m and "
                            + "h; write a duration from PT1M0.0005S to 365d");
        }

        @Test
        @DisplayName("a max that does not read is refused once, not again as the default max under base")
        void aMaxThatDoesNotReadIsNotAlsoRefusedAsTheDefaultUnderBase() {
            // each was also refused as "must be ≥ base (2h), got 1h", a max never written
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 2h, max: 5 }\n"))
                    .containsExactly("worker.backoff.max: '5' has no unit; write 5h");
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 2h, max: [3h] }\n"))
                    .containsExactly("worker.backoff.max: must be a single value, got [3h]");
        }

        @Test
        @DisplayName("a base that does not read is refused once, and max not compared with the default base")
        void aMaxIsNotComparedWithTheDefaultOfABaseThatDoesNotRead() {
            // max was also refused as "must be ≥ base (1s), got 500ms", a base never written
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 5, max: 500ms }\n"))
                    .containsExactly("worker.backoff.base: '5' has no unit; write 5ms, 5s, 5m or 5h");
            // nor advised from it: 5 under a base of [2h] was offered 5s, 5m and 5h, from the default 1s up
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: [2h], max: 5 }\n"))
                    .containsExactly("worker.backoff.base: '[2h]' is not a duration with a unit such as 500ms, 30s, 5m, 1h, 2d, "
                                    + "or ISO-8601 like PT30S",
                            "worker.backoff.max: '5' has no unit; write 5ms, 5s, 5m or 5h");
        }

        @Test
        @DisplayName("an empty max, or one left blank, is the default max when not written, not a max written as 1h")
        void anEmptyMaxUnderBaseIsSaidAsNotWritten() {
            // each was refused as "must be ≥ base (2h), got 1h", a max the file does not hold
            for (String max : List.of("''", "'${M:-}'", "~")) {
                assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 2h, max: " + max + " }\n"))
                        .as(max).containsExactly("worker.backoff.max: is 1h when not written, less than base (2h); "
                                + "write max: 2h or more");
            }
        }

        @Test
        @DisplayName("a negative max in ISO-8601 is advised from base up, as -5s is")
        void aNegativeIsoMaxIsAdvisedFromBaseUp() {
            // told "must be ≥ 0s", and 0s, once written, was refused as under base; then "must be ≥ 2h, got -5000ms",
            // a value the file does not hold: as written, as -5s is
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 2h, max: PT-5S }\n"))
                    .containsExactly("worker.backoff.max: 'PT-5S' is negative; durations here are from "
                            + "2h to 365d, e.g. 2h");
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: PT10.0005S, max: -PT5S }\n"))
                    .containsExactly("worker.backoff.max: '-PT5S' is negative; durations here are from "
                            + "PT10.0005S to 365d, e.g. PT10.0005S");
            // with no base that reads, from 0 as before
            assertThat(Load.problems("worker:\n  backoff: { type: exponential, base: 5, max: PT-5S }\n"))
                    .containsExactly("worker.backoff.base: '5' has no unit; write 5ms, 5s, 5m or 5h",
                            "worker.backoff.max: 'PT-5S' is negative; durations here are 0 or more, e.g. 5s");
        }

        @Test
        @DisplayName("a max under a base not written says base is the default, as a max not written is said")
        void aMaxUnderTheDefaultBaseSaysBaseWasNotWritten() {
            // was "must be ≥ base (1s), got 500ms", of a base the file does not hold
            for (String base : List.of("", "base: '', ", "base: ~, ")) {
                assertThat(Load.problems("worker:\n  backoff: { type: exponential, " + base + "max: 500ms }\n"))
                        .as(base).containsExactly("worker.backoff.max: must be ≥ base, 1s when not written, got 500ms; "
                                + "write max: 1s or more, or base: 500ms or less");
            }
            // both fixes are taken
            backoff("type: exponential\nmax: 1s\n");
            backoff("type: exponential\nbase: 500ms\nmax: 500ms\n");
        }

        @Test
        void requiresTheDelayOfFixedAndTheDelaysOfList() {
            assertThat(Load.problems("worker:\n  backoff: { type: fixed }\n")).containsExactly(
                    "worker.backoff.delay: is required for type fixed; write e.g. delay: 10s");
            assertThat(Load.problems("worker:\n  backoff: { type: list }\n")).containsExactly(
                    "worker.backoff.delays: is required for type list; write e.g. delays: [5s, 1m, 10m]");
        }

        @Test
        void namesTheBadItemOfAList() {
            assertThat(Load.problems("worker:\n  backoff: { type: list, delays: [5s, 30] }\n")).containsExactly(
                    "worker.backoff.delays[1]: '30' has no unit; write 30ms, 30s, 30m or 30h");
        }

        @Test
        @DisplayName("an item of the list is given only the forms the list takes: at most 365d")
        void anItemOfTheListIsGivenOnlyTheFormsTheListTakes() {
            // 9000 was offered 9000h, refused once written as more than 365d, and -400d was told e.g. 400d
            assertThat(Load.problems("worker:\n  backoff: { type: list, delays: [9000, -400d] }\n")).containsExactly(
                    "worker.backoff.delays[0]: '9000' has no unit; write 9000ms, 9000s or 9000m",
                    "worker.backoff.delays[1]: '-400d' is negative; durations here are 0 or more, e.g. 365d");
        }

        @Test
        void refusesAnUnknownType() {
            assertThat(Load.problems("worker:\n  backoff: { type: linear }\n")).containsExactly(
                    "worker.backoff.type: must be one of exponential, fixed, list, none, got 'linear'");
        }
    }
}
