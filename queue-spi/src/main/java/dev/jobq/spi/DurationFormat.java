package dev.jobq.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the config file writes them: a number with a unit ({@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 1h}, {@code 2d}) or ISO-8601 ({@code PT30S}).
 */
public final class DurationFormat {

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    /** How the config documents it, for error messages. */
    public static final String EXPECTED = "a duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like PT30S";

    private DurationFormat() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    public static Duration parse(String text) {
        String value = text.strip();
        Matcher m = WITH_UNIT.matcher(value.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            try {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            } catch (NumberFormatException | ArithmeticException tooLarge) { // a long of units, or of seconds
                throw new IllegalArgumentException("'" + text + "' is too large for a duration");
            }
        }
        if (value.matches("\\d+")) {
            throw new IllegalArgumentException("'" + text + "' has no unit; write " + value + "ms, " + value
                    + "s, " + value + "m or " + value + "h");
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + EXPECTED);
        }
    }

    /** Short human form: {@code 1h30m}, {@code 45s}, {@code 250ms}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
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
        if (duration.toSecondsPart() > 0 || duration.toMillisPart() > 0) {
            text.append(duration.toSecondsPart());
            if (duration.toMillisPart() > 0) {
                text.append('.').append(String.format(Locale.ROOT, "%03d", duration.toMillisPart()));
            }
            text.append('s');
        }
        return text.toString();
    }
}
