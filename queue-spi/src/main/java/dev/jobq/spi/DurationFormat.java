package dev.jobq.spi;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Durations as the config file writes them: a number with a unit ({@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 1h}, {@code 2d}), several together ({@code 1h30m}, as {@link #format} prints
 * them), or ISO-8601 ({@code PT30S}).
 */
public final class DurationFormat {

    private static final Pattern UNIT_TERM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    /** One term of a duration with units, and the blanks after it: {@link #allTerms} reads a duration of them. */
    private static final Pattern TERM = Pattern.compile("\\d+\\s*(ms|s|m|h|d)\\s*");
    /** A {@link #TERM} that is 0 ({@code 0s}, {@code 00m}): a duration of only such terms is 0. */
    private static final Pattern ZERO_TERM = Pattern.compile("0+\\s*(ms|s|m|h|d)\\s*");
    /** A bare 0 with a minus ({@code -0}, {@code - 00}): 0, which has no unit. */
    private static final Pattern BARE_MINUS_ZERO = Pattern.compile("-\\s*(0+)");
    /** A bare number with a minus ({@code -5}, {@code - 05}): negative, and without a unit. */
    private static final Pattern BARE_MINUS_NUMBER = Pattern.compile("-\\s*(\\d+)");
    /** How the config documents it, for error messages. */
    public static final String EXPECTED = "a duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like PT30S";

    private DurationFormat() {
    }

    /**
     * Parses {@code text}. A negative one with a unit ({@code -5s}) is refused ({@code -0s} is 0, as {@code -PT0S} is);
     * one in ISO-8601 ({@code PT-5S}) is returned, for the caller to judge ({@link #parseWithin} refuses it as
     * {@code -5s} is). A minus before the P and another after it ({@code -P-1D}), which java.time reads as plus, is
     * refused where java.time reads it as longer than 0: {@code -PT-0S} is 0, and {@code -P1DT-1H}, -23h, is negative.
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    public static Duration parse(String text) {
        return parse(text, unsigned -> unsigned, null, null, null);
    }

    /**
     * Parses {@code text} for a key that takes durations from {@code min} to {@code max}: as {@link #parse}, but a
     * negative one is given an example the key takes ({@link #exampleWithin}), where {@code -5d} was told
     * {@code e.g. 5d} by a key that takes at most {@code 1d}, and a bare number the forms with a unit the key takes
     * (of {@code 5000} for at most {@code 1h}, {@code 5000ms} alone), or the range when it takes none. One in
     * ISO-8601 that reads as negative ({@code PT-5S}, {@code -PT5S}), which {@link #parse} returns, is refused as
     * {@code -5s} is, as written.
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    public static Duration parseWithin(String text, Duration min, Duration max) {
        return parse(text, unsigned -> exampleWithin(unsigned, min, max), min, max, null);
    }

    /**
     * As {@link #parseWithin(String, Duration, Duration)}, for a key that takes only whole multiples of {@code step}
     * (SQS counts its waits in seconds): a bare number is offered no form the key refuses as not one, where
     * {@code 30} was offered {@code 30ms} alone by a key that takes whole seconds up to {@code 20s}. What is read is
     * not checked against {@code step}: the key says how it is counted. A negative one is given an example that is a
     * whole step ({@code 2s} for {@code -1500ms}), where the example the key refused as not one was offered.
     *
     * @throws IllegalArgumentException naming the value and the accepted forms; or, whatever {@code text} is, naming
     *         {@code step} when it is 0 or negative (a step of 0 told a bare number it was out of range)
     * @throws NullPointerException when {@code step} is null
     */
    public static Duration parseWithin(String text, Duration min, Duration max, Duration step) {
        Duration positive = positiveStep(step);
        return parse(text, unsigned -> inSteps(exampleWithin(unsigned, min, max), max, positive), min, max, positive);
    }

    /**
     * {@code example}, a duration {@link #parse} reads, as a whole multiple of {@code step}: as written when it is one,
     * else the next one up, or down when that is beyond {@code max}.
     */
    private static String inSteps(String example, Duration max, Duration step) {
        BigDecimal[] steps = seconds(parse(example)).divideAndRemainder(seconds(step));
        if (steps[1].signum() == 0) {
            return example;
        }
        BigDecimal up = steps[0].add(BigDecimal.ONE).multiply(seconds(step));
        BigDecimal whole = up.compareTo(seconds(max)) <= 0 ? up : steps[0].multiply(seconds(step));
        return formatExact(Duration.ofSeconds(whole.longValue(),
                whole.remainder(BigDecimal.ONE).movePointRight(9).longValue()));
    }

    /** {@code step}, refused when null, 0 or negative: the caller's mistake, said at the call, not a value's. */
    static Duration positiveStep(Duration step) {
        Objects.requireNonNull(step, "step");
        if (!step.isPositive()) {
            throw new IllegalArgumentException("step must be positive, got " + format(step));
        }
        return step;
    }

    private static Duration parse(String text, UnaryOperator<String> exampleForNegative, @Nullable Duration min,
                                  @Nullable Duration max, @Nullable Duration step) {
        String value = text.strip();
        String lowerCase = value.toLowerCase(Locale.ROOT);
        if (allTerms(TERM, lowerCase)) {
            try {
                Duration total = Duration.ZERO;
                for (Matcher term = UNIT_TERM.matcher(lowerCase); term.find(); ) {
                    total = total.plus(of(Long.parseLong(term.group(1)), term.group(2)));
                }
                return total;
            } catch (NumberFormatException | ArithmeticException tooLarge) { // a long of units, or of seconds
                throw new IllegalArgumentException("'" + text + "' is too large for a duration");
            }
        }
        if (lowerCase.startsWith("-") && allTerms(TERM, lowerCase.substring(1).strip())) {
            if (allTerms(ZERO_TERM, lowerCase.substring(1).strip())) {
                return Duration.ZERO; // -0s is 0, as -PT0S and PT-0S are: it was told it is negative, e.g. 0s
            }
            throw new IllegalArgumentException(negative(text, exampleForNegative.apply(value.substring(1).strip()),
                    min, max));
        }
        if (value.matches("\\d+")) {
            throw new IllegalArgumentException("'" + text + "' has no unit" + withUnits(value, min, max, step));
        }
        Matcher minusZero = BARE_MINUS_ZERO.matcher(value);
        if (minusZero.matches()) { // 0, as -0s is: told what 0 is, where it was "is not a duration" at all
            throw new IllegalArgumentException("'" + text + "' has no unit"
                    + withUnits(minusZero.group(1), min, max, step));
        }
        Matcher minusNumber = BARE_MINUS_NUMBER.matcher(value);
        if (minusNumber.matches()) { // as --delay -5 and QUEUE_SHUTDOWN_TIMEOUT=-5 are told: it was "is not a duration"
            throw new IllegalArgumentException("'" + text + "' is negative and has no unit"
                    + withUnits(minusNumber.group(1), min, max, step));
        }
        Duration read;
        try {
            read = Duration.parse(value);
        } catch (DateTimeParseException e) {
            if (e.getCause() != null) { // read, but a number too large: PT99999999999999999999S is ISO-8601
                throw new IllegalArgumentException("'" + text + "' is too large for a duration");
            }
            throw new IllegalArgumentException("'" + text + "' is not " + EXPECTED);
        }
        if (value.startsWith("-") && value.indexOf('-', 1) > 0 && read.isPositive()) {
            // only where the two minuses make a plus: -PT-0S is 0 as -PT0S is (it was told "write 0s", which --max-time
            // and a key whose least is above 0 refuse), and -P1DT-1H is -23h (told it "reads as plus; write 23h")
            throw new IllegalArgumentException(doubleMinus(text, read, exampleForNegative, max));
        }
        if (read.isNegative() && max != null) {
            // a key's range: refused as written, as -5s is, where PT-5S was "must be ≥ 0s, got -5000ms", a value the
            // file does not hold; the example from its size, the most the key takes when too large to negate
            throw new IllegalArgumentException(negative(text, read.getSeconds() == Long.MIN_VALUE
                    && read.getNano() == 0 ? format(max) : exampleForNegative.apply(formatExact(read.negated())), min,
                    max));
        }
        return read;
    }

    /**
     * The refusal of {@code text}, ISO-8601 with a minus before its P and another after it ({@code -P-1D},
     * {@code -PT-5S}), which java.time reads as plus, {@code read}: where a day was a delay and a shutdown timeout, the
     * size written as a duration, or the one nearest it the key takes ({@code exampleForNegative}), the most it takes
     * when too long to count.
     */
    private static String doubleMinus(String text, Duration read, UnaryOperator<String> exampleForNegative,
                                      @Nullable Duration max) {
        String example;
        try {
            example = exampleForNegative.apply(formatExact(read.abs()));
        } catch (ArithmeticException | IllegalArgumentException tooLong) { // the least Duration, or a key's example
            example = max != null ? format(max) : "30s";
        }
        return "'" + text + "' has a minus before the P and another after it, which ISO-8601 reads as plus; write "
                + example;
    }

    /**
     * The refusal of {@code text}, a negative duration, for a key that takes durations from {@code min} to {@code max}
     * (both null for one without a range): with {@code example}, one the key takes, and what the key takes, "0 or
     * more", or its range where its least is above 0 ({@code from 1ms to 1h}: "0 or more" was said of pollInterval,
     * which refuses 0).
     */
    public static String negative(String text, String example, @Nullable Duration min, @Nullable Duration max) {
        return "'" + text + "' is negative; durations here are " + (min != null && max != null && min.isPositive()
                ? "from " + formatExact(min) + " to " + format(max) : "0 or more") + ", e.g. " + example;
    }

    /**
     * The fix for {@code digits} given without a unit: the forms with a unit that hold it, decided by its value, not
     * its digits (19 nines, past a long, were given four forms all too large, and 0…030 of 22 digits was told no unit
     * holds it); past a long none does, and the number, repeated in each form, is not repeated again. Each form says
     * the number's value ({@code 30s} for {@code 0030}), not its digits again, zeros before it and all. With a range,
     * only the forms within it, where {@code 5000} was offered {@code 5000h} by a key that takes at most {@code 1h},
     * and with a step, only its whole multiples; when none is, the range, its min exact (a base of {@code PT1M0.0005S}
     * as the least of worker.backoff.max was said as {@code 1m}, under it).
     */
    private static String withUnits(String digits, @Nullable Duration min, @Nullable Duration max,
                                    @Nullable Duration step) {
        long amount;
        try {
            amount = Long.parseLong(digits);
        } catch (NumberFormatException tooLarge) {
            return ", and is too large for a duration in any of ms, s, m and h; write a smaller number with its unit, "
                    + "such as 30s";
        }
        var forms = new ArrayList<String>();
        boolean offStep = false; // a form within the range, but no multiple of the step: 30ms of a wait in seconds
        for (String unit : List.of("ms", "s", "m", "h")) {
            try {
                Duration form = of(amount, unit);
                if ((min == null || form.compareTo(min) >= 0) && (max == null || form.compareTo(max) <= 0)) {
                    if (step == null || seconds(form).remainder(seconds(step)).signum() == 0) {
                        forms.add(amount + unit); // not digits: 0…030 of 10,000 zeros went into each form again
                    } else {
                        offStep = true;
                    }
                }
            } catch (ArithmeticException tooLarge) { // Long.MAX_VALUE minutes: more seconds than a long counts
                break;
            }
        }
        if (forms.isEmpty()) { // only within a range: a long's milliseconds always hold
            return offStep ? ", and is out of range or no multiple of " + format(step) + " in any of ms, s, m and h; "
                    + "write a duration from " + formatExact(min) + " to " + format(max) + ", a multiple of "
                    + format(step)
                    : ", and is out of range in any of ms, s, m and h; write a duration from " + formatExact(min) + " to "
                    + format(max);
        }
        if (forms.size() == 1) {
            return "; write " + forms.getFirst();
        }
        return "; write " + String.join(", ", forms.subList(0, forms.size() - 1)) + " or " + forms.getLast();
    }

    /**
     * The example a refusal of {@code -unsigned} gives, for a key that takes durations from {@code min} to
     * {@code max}: {@code unsigned} as written when the key takes it, else the bound nearest to it, so that the fix
     * offered is one the key accepts ({@code 1d} for {@code -5d} where at most {@code 1d} is; a min finer than a
     * millisecond in ISO-8601, {@code PT10.0005S}, not cut to {@code 10s} under it).
     *
     * @param unsigned a duration that {@link #parse} reads, or one that {@link #isTooLarge}
     * @throws IllegalArgumentException for any other {@code unsigned} (no duration, such as {@code soon}), with the
     *         message {@link #parse} gives it
     */
    public static String exampleWithin(String unsigned, Duration min, Duration max) {
        if (isTooLarge(unsigned)) {
            return format(max);
        }
        Duration value = parse(unsigned);
        if (value.compareTo(min) < 0) {
            return formatExact(min); // format, to the millisecond, gave a min finer than one as less than itself
        }
        return value.compareTo(max) > 0 ? format(max) : unsigned;
    }

    /**
     * Whether {@code text} is numbers with units ({@code 30s}, {@code 1h 30m}), or ISO-8601 ({@code PT30S}), too large
     * for a {@link Duration} ({@code 99999999999999999999s}, a value pasted twice): of the form asked for, so a key's
     * range refuses it as beyond its maximum, where {@link #parse}'s "too large for a duration" does not say how large
     * it may be.
     */
    public static boolean isTooLarge(String text) {
        String lowerCase = text.strip().toLowerCase(Locale.ROOT);
        if (lowerCase.startsWith("p") && lowerCase.indexOf('-') < 0) { // PT-99999999999999999999S is no maximum's
            try {
                Duration.parse(text.strip());
                return false;
            } catch (DateTimeParseException e) {
                return e.getCause() != null; // read, but a number too large for a long
            }
        }
        if (!allTerms(TERM, lowerCase)) {
            return false;
        }
        try {
            parse(text);
            return false;
        } catch (IllegalArgumentException tooLarge) {
            return true;
        }
    }

    /**
     * Whether {@code text} is one or more of {@code term}, back to back, to its end. Read a term at a time: as one
     * regex, {@code (term)+}, java.util.regex recursed once a term, and a duration of about 1,000 terms ended the
     * reading of the config with a StackOverflowError.
     */
    private static boolean allTerms(Pattern term, String text) {
        Matcher read = term.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!read.region(at, text.length()).lookingAt()) {
                return false;
            }
            at = read.end();
        }
        return at > 0;
    }

    /** {@code duration} in seconds, exactly: a long of nanoseconds or of milliseconds holds less than a long of hours. */
    private static BigDecimal seconds(Duration duration) {
        return BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    }

    private static Duration of(long amount, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /**
     * {@code duration} as {@link #format} prints it where that is exact, else in ISO-8601: for a value refused by a
     * range, which format, leaving out what is finer than a millisecond, showed as the very bound it is beyond
     * ({@code PT20.0000001S} was refused as "must be ≤ 20s, got 20s"). For a duration of 0 or more, {@link #parse}
     * reads what it prints back as the same duration, to the nanosecond.
     */
    public static String formatExact(Duration duration) {
        return duration.toNanosPart() % 1_000_000 == 0 ? format(duration) : duration.toString();
    }

    /**
     * Short human form that {@link #parse} reads back, to the millisecond (what is finer is left out), for a
     * duration of 0 or more: {@code 1h30m}, {@code 45s}, {@code 1s500ms}, {@code 250ms}. A negative one, which
     * an error reports as out of range, is printed in milliseconds ({@code -1000ms}), or as ISO-8601 when it is
     * too long to count in them; so is one shorter than a millisecond either way ({@code PT0.0005S},
     * {@code PT-0.0005S}), not as {@code 0ms}.
     */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.getSeconds() < Long.MIN_VALUE / 1000 // toMillis() would overflow
                || duration.abs().compareTo(Duration.ofMillis(1)) < 0) { // not "0ms", which reads as zero, of ±0.5ms
            return duration.toString();
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) { // toMillis() would overflow for the longest
            return duration.toMillis() + "ms";
        }
        var text = new StringBuilder();
        long days = duration.toDays();
        if (days > 0) {
            text.append(days).append('d');
        }
        if (duration.toHoursPart() > 0) {
            text.append(duration.toHoursPart()).append('h');
        }
        if (duration.toMinutesPart() > 0) {
            text.append(duration.toMinutesPart()).append('m');
        }
        if (duration.toSecondsPart() > 0) {
            text.append(duration.toSecondsPart()).append('s');
        }
        if (duration.toMillisPart() > 0) {
            text.append(duration.toMillisPart()).append("ms");
        }
        return text.toString();
    }
}
