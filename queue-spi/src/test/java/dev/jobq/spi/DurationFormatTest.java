package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("DurationFormat: durations as the config file and the jobq command write them")
class DurationFormatTest {

    @ParameterizedTest
    @CsvSource({"1h30m, PT1H30M", "2m30s, PT2M30S", "1d12h, PT36H", "1s500ms, PT1.5S", "1H 30M, PT1H30M"})
    void readsSeveralUnitsTogether(String written, Duration expected) {
        assertThat(DurationFormat.parse(written)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 250, 1_000, 1_500, 59_999, 90_000, 5_400_000, 86_400_000, 93_784_005, 315_360_000_000L})
    @DisplayName("every duration it prints, in messages and in `jobq config check`, reads back as the same duration")
    void readsBackWhatItPrints(long millis) {
        Duration duration = Duration.ofMillis(millis);

        assertThat(DurationFormat.parse(DurationFormat.format(duration))).isEqualTo(duration);
    }

    @ParameterizedTest
    @CsvSource({"PT20S, 20s", "PT20.0000001S, PT20.0000001S", "PT12H0.0005S, PT12H0.0005S", "PT1.5S, 1s500ms",
            "PT-1S, -1000ms", "PT-1.0005S, PT-1.0005S", "PT0.000999999S, PT0.000999999S", "PT0S, 0s"})
    @DisplayName("formatExact prints as format where that is exact, else ISO-8601: never a value refused past a bound "
            + "as the bound itself")
    void formatExactLeavesNothingOut(Duration duration, String expected) {
        assertThat(DurationFormat.formatExact(duration)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "0, 1", "0, 999999", "20, 100", "43200, 500000", "31536000, 1",
            "9223372036854775807, 999000000", "9223372036854775807, 999999999"})
    @DisplayName("what formatExact prints of a duration of 0 or more reads back as that duration, to the nanosecond, the "
            + "longest a Duration holds too")
    void formatExactReadsBackAsTheSameDuration(long seconds, long nanos) {
        Duration duration = Duration.ofSeconds(seconds, nanos);

        assertThat(DurationFormat.parse(DurationFormat.formatExact(duration))).isEqualTo(duration);
    }

    @Test
    @DisplayName("an ISO-8601 duration too large to hold is too large, as one with units is, not 'not ISO-8601'")
    void anIsoDurationTooLargeToHoldIsTooLargeNotOfAnotherForm() {
        // PT99999999999999999999S was told it is not "ISO-8601 like PT30S", and isTooLarge said no, so --delay,
        // --max-time and a key's range refused it as of a wrong form, not as beyond their maximum
        assertThat(DurationFormat.isTooLarge("PT99999999999999999999S")).isTrue();
        assertThat(DurationFormat.isTooLarge(" pt9999999999999999h ")).isTrue();
        assertThat(DurationFormat.isTooLarge("PT30S")).isFalse();
        assertThat(DurationFormat.isTooLarge("PTxS")).isFalse();
        assertThat(DurationFormat.isTooLarge("soon")).isFalse();
        assertThat(DurationFormat.isTooLarge("PT-99999999999999999999S")).as("negative, not beyond a maximum").isFalse();
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("PT99999999999999999999S"))
                .withMessage("'PT99999999999999999999S' is too large for a duration");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("PTxS"))
                .withMessage("'PTxS' is not " + DurationFormat.EXPECTED);
    }

    @Test
    @DisplayName("a bare number too long for any unit is repeated once, not in a fix of four forms that are all too "
            + "large; one that fits is given the four")
    void aBareNumberTooLongForAnyUnitIsRepeatedOnce() {
        // a 10,000-digit number went into the refusal five times, and each form it proposed was itself too large
        String digits = "1".repeat(10_000);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse(digits))
                .withMessage("'" + digits + "' has no unit, and is too large for a duration in any of ms, s, m and h; "
                        + "write a smaller number with its unit, such as 30s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("9".repeat(20) + "ms"))
                .as("twenty digits with a unit").withMessageEndingWith("is too large for a duration");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("9".repeat(15)))
                .withMessage("'%1$s' has no unit; write %1$sms, %1$ss, %1$sm or %1$sh", "9".repeat(15));
    }

    @Test
    @DisplayName("a bare number is given the forms with a unit that hold it, decided by its value, not its digits")
    void aBareNumberIsGivenOnlyTheFormsWithAUnitThatHoldIt() {
        // 19 nines, past a long, was given four forms, each refused as too large for a duration
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("9".repeat(19)))
                .withMessage("'" + "9".repeat(19) + "' has no unit, and is too large for a duration in any of ms, s, "
                        + "m and h; write a smaller number with its unit, such as 30s");
        // 22 digits of 30 were told they are too large for every unit, where 0000000000000000000030s is 30s
        assertThat(DurationFormat.parse("0000000000000000000030s")).isEqualTo(Duration.ofSeconds(30));
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("0000000000000000000030"))
                .withMessage("'0000000000000000000030' has no unit; write 30ms, 30s, 30m or 30h");
        // a long's largest holds as milliseconds and seconds only: its m and h were refused as too large
        String max = String.valueOf(Long.MAX_VALUE);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse(max + "m"))
                .withMessageEndingWith("is too large for a duration");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse(max))
                .withMessage("'%1$s' has no unit; write %1$sms or %1$ss", max);
        String hoursTooMany = String.valueOf(Long.MAX_VALUE / 3600 + 1);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse(hoursTooMany))
                .withMessage("'%1$s' has no unit; write %1$sms, %1$ss or %1$sm", hoursTooMany);
    }

    @Test
    @DisplayName("a bare number padded with zeros is offered its forms with the number alone, not its zeros again in "
            + "each")
    void aBareNumberPaddedWithZerosIsOfferedItsFormsWithoutTheZeros() {
        // 10,000 zeros before 30 went into the refusal five times, once as given and once in each of the four forms
        String padded = "0".repeat(10_000) + "30";
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse(padded))
                .withMessage("'" + padded + "' has no unit; write 30ms, 30s, 30m or 30h");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("0005000", Duration.ofMillis(1),
                Duration.ofHours(1))).withMessage("'0005000' has no unit; write 5000ms");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("000"))
                .withMessage("'000' has no unit; write 0ms, 0s, 0m or 0h");
    }

    @Test
    @DisplayName("a bare number for a key with a range is given only the forms the key takes, and the range when none")
    void aBareNumberForAKeyWithARangeIsGivenOnlyTheFormsTheKeyTakes() {
        // worker.pollInterval (1ms to 1h): 5000 was offered 5000m and 5000h, each refused as more than 1h, and 0 was
        // offered 0ms, 0s, 0m and 0h, each refused as less than 1ms
        Duration min = Duration.ofMillis(1);
        Duration max = Duration.ofHours(1);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("5000", min, max))
                .withMessage("'5000' has no unit; write 5000ms");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("30", min, max))
                .withMessage("'30' has no unit; write 30ms, 30s or 30m");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("0", min, max))
                .withMessage("'0' has no unit, and is out of range in any of ms, s, m and h; write a duration from 1ms "
                        + "to 1h");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("9999999", min, max))
                .withMessage("'9999999' has no unit, and is out of range in any of ms, s, m and h; write a duration "
                        + "from 1ms to 1h");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("0", Duration.ZERO, max))
                .as("a key that takes 0").withMessage("'0' has no unit; write 0ms, 0s, 0m or 0h");
    }

    @Test
    @DisplayName("a negative ISO-8601 duration for a key with a range is refused as written, as -5s is; parse reads it")
    void aNegativeIsoDurationForAKeyWithARangeIsRefusedAsWritten() {
        Duration min = Duration.ofMillis(1);
        Duration max = Duration.ofHours(1);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-5s", min, max))
                .withMessage("'-5s' is negative; durations here are from 1ms to 1h, e.g. 5s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("PT-5S", min, max))
                .withMessage("'PT-5S' is negative; durations here are from 1ms to 1h, e.g. 5s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-PT5S", min, max))
                .withMessage("'-PT5S' is negative; durations here are from 1ms to 1h, e.g. 5s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("PT-2H", min, max))
                .withMessage("'PT-2H' is negative; durations here are from 1ms to 1h, e.g. 1h");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("PT-0.0005S", min, max))
                .withMessage("'PT-0.0005S' is negative; durations here are from 1ms to 1h, e.g. 1ms");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("PT-0.0005S", Duration.ZERO,
                max)).withMessage("'PT-0.0005S' is negative; durations here are 0 or more, e.g. PT0.0005S");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("PT-5S", Duration.ZERO,
                Duration.ofSeconds(20), Duration.ofSeconds(1)))
                .withMessage("'PT-5S' is negative; durations here are 0 or more, e.g. 5s");
        // without a range, read as what it is, for a caller to judge
        assertThat(DurationFormat.parse("PT-5S")).isEqualTo(Duration.ofSeconds(-5));
        assertThat(DurationFormat.parseWithin("PT5M-5S", min, max)).as("positive in all")
                .isEqualTo(Duration.ofSeconds(295));
    }

    @Test
    @DisplayName("a negative duration for a key whose least is above 0 is told the key's range: '0 or more' was said "
            + "of a key that refuses 0")
    void aNegativeDurationForAKeyWhoseLeastIsAbove0IsToldItsRange() {
        // pollInterval (1ms to 1h) was told "durations here are 0 or more", and 0s, once written, "must be ≥ 1ms"
        Duration max = Duration.ofHours(1);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-5s", Duration.ofMillis(1),
                max)).withMessage("'-5s' is negative; durations here are from 1ms to 1h, e.g. 5s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("PT-5S",
                Duration.ofSeconds(1), max, Duration.ofSeconds(1)))
                .withMessage("'PT-5S' is negative; durations here are from 1s to 1h, e.g. 5s");
        // a least finer than a millisecond said exactly, as the example is
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-5s",
                Duration.parse("PT10.0005S"), max))
                .withMessage("'-5s' is negative; durations here are from PT10.0005S to 1h, e.g. PT10.0005S");
        // a key that takes 0: as before
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-5s", Duration.ZERO, max))
                .withMessage("'-5s' is negative; durations here are 0 or more, e.g. 5s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("-5s"))
                .withMessage("'-5s' is negative; durations here are 0 or more, e.g. 5s");
    }

    @Test
    @DisplayName("-0s is 0, read as -PT0S and PT-0S are: it was refused as negative, the example it was given 0s")
    void minusZeroWithAUnitIsReadAsZeroAsInIso() {
        Duration max = Duration.ofHours(1);
        assertThat(DurationFormat.parseWithin("-PT0S", Duration.ZERO, max)).as("ISO-8601").isZero();
        assertThat(DurationFormat.parseWithin("PT-0S", Duration.ZERO, max)).as("ISO-8601").isZero();
        assertThat(DurationFormat.parseWithin("-0s", Duration.ZERO, max)).isZero();
        assertThat(DurationFormat.parseWithin("-0ms", Duration.ZERO, max, Duration.ofSeconds(1))).isZero();
        assertThat(DurationFormat.parse("- 0h0m")).isZero();
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-0s1ms", Duration.ZERO, max))
                .as("negative all the same")
                .withMessage("'-0s1ms' is negative; durations here are 0 or more, e.g. 0s1ms");
    }

    @Test
    @DisplayName("-PT-0S is 0, as -PT0S and PT-0S are: its two minuses were refused with \"write 0s\", which --max-time "
            + "refuses and a key whose least is above 0 was offered as its least")
    void aMinusBeforeAndInsideIso8601OfZeroIsZero() {
        Duration max = Duration.ofHours(1);
        assertThat(DurationFormat.parseWithin("-PT-0S", Duration.ZERO, max)).isZero();
        assertThat(DurationFormat.parse("-p-0d")).isZero();
        assertThat(DurationFormat.parse("-P-0DT-0H-0.000S")).isZero();
        assertThat(DurationFormat.parseWithin("-PT-0S", Duration.ZERO, max, Duration.ofSeconds(1))).isZero();
        // not 0 in all: refused for its two minuses all the same
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("-PT-0S-0.001S"))
                .withMessage("'-PT-0S-0.001S' is not " + DurationFormat.EXPECTED);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("-P-0DT-0.001S"))
                .withMessage("'-P-0DT-0.001S' has a minus before the P and another after it, which ISO-8601 reads as "
                        + "plus; write 1ms");
    }

    @Test
    @DisplayName("a minus before an ISO-8601 duration and a smaller one inside it, which java.time reads as negative, is "
            + "negative: -P1DT-1H was told it reads as plus, write 23h")
    void aMinusBeforeAndInsideIso8601ThatReadsNegativeIsNegative() {
        // -(1d - 1h) is -23h: no plus
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-P1DT-1H", Duration.ZERO,
                        Duration.ofDays(1)))
                .withMessage("'-P1DT-1H' is negative; durations here are 0 or more, e.g. 23h");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-PT1H-5M",
                        Duration.ofMillis(1), Duration.ofHours(1), Duration.ofSeconds(1)))
                .withMessage("'-PT1H-5M' is negative; durations here are from 1ms to 1h, e.g. 55m");
        assertThat(DurationFormat.parse("-PT1H-5M")).as("returned for the caller to judge, as PT-55M is")
                .isEqualTo(Duration.ofMinutes(-55));
        // what java.time reads as plus is refused for its two minuses, a smaller minus inside or not
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("-P-1DT1H"))
                .withMessage("'-P-1DT1H' has a minus before the P and another after it, which ISO-8601 reads as plus; "
                        + "write 23h");
    }

    @Test
    @DisplayName("a bare -0 is told what 0 is told, that it has no unit, as jobq enqueue --delay -0 is: it was told it "
            + "is not a duration at all")
    void aBareMinusZeroIsToldWhatZeroIsTold() {
        // worker.shutdownTimeout: -0 was "'-0' is not a duration with a unit such as 500ms, …", and 0 "has no unit"
        Duration max = Duration.ofHours(1);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-0", Duration.ZERO, max))
                .withMessage("'-0' has no unit; write 0ms, 0s, 0m or 0h");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse(" - 00"))
                .withMessage("' - 00' has no unit; write 0ms, 0s, 0m or 0h");
        // a key whose least is above 0: its range, as 0 is told
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-0", Duration.ofMillis(1),
                max)).withMessage("'-0' has no unit, and is out of range in any of ms, s, m and h; write a duration "
                        + "from 1ms to 1h");
    }

    @Test
    @DisplayName("a bare negative number is told it is negative and has no unit, with the forms the key takes, as jobq "
            + "enqueue --delay -5 and QUEUE_SHUTDOWN_TIMEOUT=-5 are told it is negative: it was told it is not a "
            + "duration at all")
    void aBareNegativeNumberIsToldItIsNegativeAndHasNoUnit() {
        // worker.shutdownTimeout: -5 was "'-5' is not a duration with a unit such as 500ms, …", where 5 "has no unit"
        Duration max = Duration.ofHours(1);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-5", Duration.ZERO, max))
                .withMessage("'-5' is negative and has no unit; write 5ms, 5s or 5m");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse(" - 05"))
                .withMessage("' - 05' is negative and has no unit; write 5ms, 5s, 5m or 5h");
        // a key whose least is above 0, and one counted in whole seconds: only the forms each takes
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-5000", Duration.ofMillis(1),
                max)).withMessage("'-5000' is negative and has no unit; write 5000ms");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-1", Duration.ZERO,
                Duration.ofSeconds(20), Duration.ofSeconds(1)))
                .withMessage("'-1' is negative and has no unit; write 1s");
    }

    @Test
    @DisplayName("a minus before an ISO-8601 duration and another inside it, which java.time reads as plus, is refused "
            + "with the duration to write; one minus is negative, as -5s is")
    void refusesAMinusBeforeAndInsideIso8601() {
        // -P-1D was a day and -PT-5S five seconds: Duration.parse reads the two minuses as plus
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("-P-1D"))
                .withMessage("'-P-1D' has a minus before the P and another after it, which ISO-8601 reads as plus; "
                        + "write 1d");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-PT-5S", Duration.ZERO,
                Duration.ofHours(1))).withMessage("'-PT-5S' has a minus before the P and another after it, which "
                        + "ISO-8601 reads as plus; write 5s");
        // the example one the key takes: at most 1h, and whole seconds
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-p-1d", Duration.ZERO,
                Duration.ofHours(1))).withMessage("'-p-1d' has a minus before the P and another after it, which "
                        + "ISO-8601 reads as plus; write 1h");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-PT-1.5S", Duration.ZERO,
                Duration.ofSeconds(20), Duration.ofSeconds(1))).withMessage("'-PT-1.5S' has a minus before the P and "
                        + "another after it, which ISO-8601 reads as plus; write 2s");
        // one minus, before or after the P: negative, as -5s is
        Duration max = Duration.ofHours(1);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("P-1D", Duration.ZERO, max))
                .withMessage("'P-1D' is negative; durations here are 0 or more, e.g. 1h");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("PT-5S", Duration.ZERO, max))
                .withMessage("'PT-5S' is negative; durations here are 0 or more, e.g. 5s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-PT5S", Duration.ZERO, max))
                .withMessage("'-PT5S' is negative; durations here are 0 or more, e.g. 5s");
        assertThat(DurationFormat.parse("-P+1D")).isEqualTo(Duration.ofDays(-1));
    }

    @Test
    @DisplayName("a negative duration for a key counted in steps is given an example that is a whole step, which the key "
            + "takes")
    void aNegativeDurationForAKeyCountedInStepsIsGivenAWholeStep() {
        // SQS's waitTime (0s to 20s, whole seconds): -1500ms was told "e.g. 1500ms", PT-0.5S "e.g. 500ms", and each
        // example, once written, refused as "must be whole seconds"
        Duration second = Duration.ofSeconds(1);
        Duration max = Duration.ofSeconds(20);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-1500ms", Duration.ZERO,
                max, second)).withMessage("'-1500ms' is negative; durations here are 0 or more, e.g. 2s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("PT-0.5S", Duration.ZERO,
                max, second)).withMessage("'PT-0.5S' is negative; durations here are 0 or more, e.g. 1s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-PT19.5S", Duration.ZERO,
                max, second)).withMessage("'-PT19.5S' is negative; durations here are 0 or more, e.g. 20s");
        // a whole step already: as written
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("-5s", Duration.ZERO,
                max, second)).withMessage("'-5s' is negative; durations here are 0 or more, e.g. 5s");
    }

    @Test
    @DisplayName("a bare number for a key counted in steps is given only the forms that are whole steps, and says so "
            + "when none is")
    void aBareNumberForAKeyCountedInStepsIsGivenOnlyWholeSteps() {
        Duration second = Duration.ofSeconds(1);
        Duration twentySeconds = Duration.ofSeconds(20);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("1", Duration.ZERO,
                twentySeconds, second)).withMessage("'1' has no unit; write 1s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("5000", Duration.ZERO,
                twentySeconds, second)).as("5000ms is 5s").withMessage("'5000' has no unit; write 5000ms");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("30", Duration.ZERO,
                twentySeconds, second)).withMessage("'30' has no unit, and is out of range or no multiple of 1s in any "
                + "of ms, s, m and h; write a duration from 0s to 20s, a multiple of 1s");
        // a long's largest in seconds is past a long of milliseconds: whole milliseconds, and offered so
        String max = String.valueOf(Long.MAX_VALUE);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin(max, Duration.ZERO,
                Duration.ofSeconds(Long.MAX_VALUE), Duration.ofMillis(1)))
                .withMessage("'%1$s' has no unit; write %1$sms or %1$ss", max);
    }
    @Test
    @DisplayName("a step that is none, zero or negative is refused at the call, naming it, whatever the value read")
    void aStepThatIsNotPositiveIsRefusedAtTheCall() {
        // a step of 0 told a bare number it was out of range (a division by zero, caught as a unit too large), one of
        // -1s offered "a multiple of -1000ms", and none at all offered every form; any other value read past the step
        Duration max = Duration.ofSeconds(20);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("30", Duration.ZERO, max,
                Duration.ZERO)).withMessage("step must be positive, got 0s");
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parseWithin("5s", Duration.ZERO, max,
                Duration.ofSeconds(-1))).withMessage("step must be positive, got -1000ms");
        assertThatNullPointerException().isThrownBy(() -> DurationFormat.parseWithin("5s", Duration.ZERO, max, null))
                .withMessage("step");
        Settings settings = Settings.of("jobq.yaml", "provider", Map.of());
        assertThatIllegalArgumentException().as("a key not set, read with a step of 0")
                .isThrownBy(() -> settings.duration("waitTime", max, Duration.ZERO, max, Duration.ZERO))
                .withMessage("step must be positive, got 0s");
        assertThat(settings.problems()).as("the caller's mistake, not the config file's").isEmpty();
    }

    @Test
    @DisplayName("a duration of 5,000 terms is read, or refused, as one of two is: its form was matched by a regex "
            + "that recursed once a term, and a StackOverflowError from about 1,000 of them ended the config's reading")
    void readsADurationOfManyTermsWithoutOverflowingTheStack() {
        String terms = "1s ".repeat(5_000).strip();
        assertThat(DurationFormat.parse(terms)).isEqualTo(Duration.ofSeconds(5_000));
        assertThat(DurationFormat.isTooLarge(terms)).isFalse();
        assertThat(DurationFormat.parse("-" + "0s".repeat(5_000))).isZero();
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse("-" + terms))
                .withMessageEndingWith("is negative; durations here are 0 or more, e.g. " + terms);
        assertThatIllegalArgumentException().isThrownBy(() -> DurationFormat.parse(terms + "x"))
                .withMessageEndingWith("x' is not " + DurationFormat.EXPECTED);
        Settings settings = Settings.of("jobq.yaml", "worker", Map.of("pollInterval", terms + "x"));
        settings.duration("pollInterval", Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofHours(1));
        assertThat(settings.problems()).singleElement().asString().startsWith("worker.pollInterval: '1s 1s ")
                .endsWith("…' (15000 characters) is not " + DurationFormat.EXPECTED);
    }
}
