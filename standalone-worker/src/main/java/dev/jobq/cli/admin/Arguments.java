package dev.jobq.cli.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jobq.MisfirePolicy;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.UntrustedText;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How option values are read: job types not blank, durations as the config file writes them, instants in ISO-8601,
 * payloads as JSON passed through untouched, time zones by IANA name. A bad value becomes a usage
 * error naming the option, the value and the accepted form.
 */
final class Arguments {

    /** How much of a value its refusal repeats, as a blank job type's does: any instant, duration or zone whole. */
    private static final int SHOWN_CHARS = 60;
    /** How much of a file's path its refusal repeats: any path Linux takes whole (PATH_MAX, 4096 bytes). */
    private static final int PATH_SHOWN_CHARS = 4096;
    /** A path's start that bash expands to a home directory, left unquoted: {@code ~/} or {@code ~bob/}. */
    private static final Pattern HOME = Pattern.compile("~([A-Za-z0-9_.][A-Za-z0-9_.-]*)?/");

    private Arguments() {
    }

    /**
     * {@code value} as a refusal repeats it: quoted, its control characters escaped (a value read from a file,
     * {@code "$(cat when)"}, split the refusal's line with its newline), a long one cut with its length.
     */
    private static String shown(String value) {
        return UntrustedText.singleQuote(value, SHOWN_CHARS);
    }

    /**
     * A job type: not blank, so that the mistake (an empty shell variable, say) is a usage error with
     * the fix, not a failure of the enqueue.
     */
    static final class JobTypeArgument implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                // a blank one shown, its control characters escaped: " \t" from a variable is not an unset one
                throw new TypeConversionException("the job type is " + (value.isEmpty() ? "empty"
                        : "blank, got " + UntrustedText.quote(value, 60)) + "; give the type a handler registers, e.g. "
                        + "email:send (jobq run lists its handlers' types when it starts)");
            }
            return value;
        }
    }

    /**
     * {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} or ISO-8601 ({@code PT30S}); never
     * negative, which {@code -5s} would otherwise be told it lacks a unit and {@code PT-5S} would pass.
     */
    static final class DurationArgument implements ITypeConverter<Duration> {
        private final @Nullable Duration min;
        private final @Nullable Duration max;

        DurationArgument() {
            this.min = null;
            this.max = null;
        }

        /**
         * For an option that takes durations from {@code min} to {@code max}: a bare number is offered only the forms
         * with a unit within them ({@link DurationFormat#parseWithin}), where {@code --timeout 9223372036854775807}
         * was offered it in seconds too, refused once written as past the most a job carries.
         */
        DurationArgument(Duration min, Duration max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Duration convert(String value) {
            // PT-5S too, before parseWithin refuses it in the config file's words, not this command's as -5s is; -0s
            // is 0, as DurationFormat and the config file read it (refused as negative by its minus alone)
            Duration read = readOrNull(value);
            // a bare -0 is 0 as -0s is, told what 0 is (no unit): it was told it is negative, where 0 has no unit
            boolean minusZero = isMinusZero(value);
            String unsigned = minusZero ? value.strip().substring(1).strip() : value;
            if (!minusZero && (read == null ? signed(value) : read.isNegative())) {
                throw new TypeConversionException(shown(value) + " is negative; write a duration such as 30s or 5m");
            }
            Duration duration;
            try {
                duration = min == null || max == null ? DurationFormat.parse(unsigned)
                        : DurationFormat.parseWithin(unsigned, min, max);
            } catch (IllegalArgumentException e) {
                // DurationFormat's refusal starts with the value raw and whole (a config problem is escaped by
                // Settings, whole, for its secret masking to find a variable's value): said once, cut and escaped,
                // as --max-time says it, the fix after it whole; 300 digits, or a JSON given by mistake, went in whole
                String reason = String.valueOf(e.getMessage());
                String after = UntrustedText.afterQuoted(reason, unsigned);
                throw new TypeConversionException(after != null ? shown(value) + after : UntrustedText.escape(reason));
            }
            return duration;
        }

        /**
         * Whether {@code value} is a number or a duration with a minus before it ({@code -5}, {@code -5s},
         * {@code - PT5S}, {@code -P1D}, one too large to count such as {@code -99999999999999999999s}): what follows
         * the minus is a bare number or what {@link DurationFormat#parse} reads. Not a minus before nothing, another
         * minus or a word ({@code -}, {@code --5}, {@code -soon}, {@code -pending}, {@code -P-x}), nor before a number
         * with something no duration has ({@code -5x}, {@code -5.5s}, {@code -P5}): each was told it is negative, where
         * the config file and the {@code QUEUE_*} variables tell it is not a duration. Nor one with a second minus
         * ({@code -P-1D}), which {@link DurationFormat#parse} refuses for its two minuses.
         */
        static boolean signed(String value) {
            String strip = value.strip();
            if (!strip.startsWith("-")) {
                return false;
            }
            String unsigned = strip.substring(1).strip();
            return unsigned.matches("(?s)[0-9Pp].*") && unsigned.indexOf('-') < 0 && (unsigned.matches("\\d+")
                    || readOrNull(unsigned) != null || DurationFormat.isTooLarge(unsigned));
        }

        /** Whether {@code value} is a bare 0 with a minus ({@code -0}, {@code - 00}): 0, which has no unit. */
        static boolean isMinusZero(String value) {
            return value.strip().matches("-\\s*0+");
        }

        /** {@code value} as {@link DurationFormat#parse} reads it, or null: a refusal is said by the parse below. */
        private static @Nullable Duration readOrNull(String value) {
            try {
                return DurationFormat.parse(value);
            } catch (IllegalArgumentException notADuration) { // -5s too, refused by its minus above
                return null;
            }
        }
    }

    /**
     * {@code --delay}: a duration as {@link DurationArgument} reads it. One too large for a duration to hold
     * ({@code 99999999999999999999s}, a value pasted twice) is refused as ending past the last instant a job can be
     * due, as a shorter one past it is once the queue is open, not as "too large for a duration", naming no limit.
     */
    static final class DelayArgument implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (DurationFormat.isTooLarge(value)) {
                throw new TypeConversionException("a delay of " + UntrustedText.escape(value.strip(), SHOWN_CHARS)
                        + " ends past "
                        + InstantArgument.LATEST + ", the last instant a job can be due; give a shorter delay");
            }
            // a bare number offered only the forms that end by then, where 300000000000 was offered it in s, m and h,
            // each refused once written; in whole days, as the range to write when none does
            Duration most = Duration.between(Instant.now(), InstantArgument.LATEST).truncatedTo(ChronoUnit.DAYS);
            return new DurationArgument(Duration.ZERO, most).convert(value);
        }
    }

    /**
     * An id or name that must name something: not empty, so that an unset shell variable is a usage
     * error with where to find one, not an unknown id at run time.
     */
    abstract static class Reference implements ITypeConverter<String> {
        private final String whatAndWhere;

        Reference(String whatAndWhere) {
            this.whatAndWhere = whatAndWhere;
        }

        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                throw new TypeConversionException("it is empty; give " + whatAndWhere);
            }
            return value;
        }
    }

    /** A queue to read from ({@code stats}, {@code dead-letters}): empty, it was an unknown queue to add to queues:. */
    static final class QueueName extends Reference {
        QueueName() {
            super("a configured queue's name, or leave the option out");
        }
    }

    /** A dead letter's id. */
    static final class DeadLetterId extends Reference {
        DeadLetterId() {
            super("a dead job's id, as jobq dead-letters list shows them");
        }
    }

    /** A scheduled job's id. */
    static final class ScheduledJobId extends Reference {
        ScheduledJobId() {
            super("a scheduled job's id, as jobq schedule list shows them");
        }
    }

    /** An existing recurring job's name. */
    static final class RecurringJobName extends Reference {
        RecurringJobName() {
            super("a recurring job's name, as jobq recurring list shows them");
        }
    }

    /**
     * {@code 2026-12-25T09:00:00Z}, or with an offset: {@code 2026-12-25T10:00:00+01:00}; in the years 1 to 9999, the
     * instants a job can carry (EnqueueOptions.scheduledFor refuses the others, which was a failure at run time).
     */
    static final class InstantArgument implements ITypeConverter<Instant> {
        private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
        private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

        /**
         * A year of five digits or more without the '+' ISO-8601 asks for it: past 9999, or one of the years 1 to 9999
         * written with leading zeros ({@code 00001}).
         */
        private static final Pattern LONG_YEAR = Pattern.compile("(\\d{5,})-");
        /**
         * A date and time, then the offset after it: {@code 2027-01-01T10:00:00} and {@code +25:00}; the T in either
         * case, as java.time reads it.
         */
        private static final Pattern WITH_OFFSET = Pattern.compile("(.+[Tt][^+-]+)([+-].+)");

        @Override
        public Instant convert(String value) {
            Instant instant = parse(value);
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                throw outsideTheYears(value);
            }
            return instant;
        }

        /** Whether {@code text}, refused, has a date and time that exist and so an offset java.time cannot hold. */
        private static boolean offsetOutOfRange(String text) {
            var parts = WITH_OFFSET.matcher(text);
            if (!parts.matches()) {
                return false;
            }
            try {
                LocalDateTime.parse(parts.group(1));
                return true;
            } catch (DateTimeParseException dateOrTime) {
                return false;
            }
        }

        /**
         * The refusal of {@code value}, whose year {@code digits} has five digits or more: outside the years, or, for
         * one in them written with leading zeros, that and the value with the year in four digits (it was told it is
         * outside the years 1 to 9999, which year 1 is not).
         */
        private static TypeConversionException longYear(String value, String digits) {
            BigInteger year = new BigInteger(digits);
            if (year.signum() == 0 || year.compareTo(BigInteger.valueOf(9999)) > 0) {
                return outsideTheYears(value);
            }
            return new TypeConversionException(shown(value) + " is not an instant: its year " + digits + " has "
                    + digits.length() + " digits, where ISO-8601 writes a year up to 9999 with 4; write "
                    + UntrustedText.escape("%04d".formatted(year.intValue()) + value.strip().substring(digits.length()),
                    SHOWN_CHARS));
        }

        private static TypeConversionException outsideTheYears(String value) {
            return new TypeConversionException(shown(value) + " is outside the years 1 to 9999 that a job's time "
                    + "can have; write an instant in them, e.g. 2026-12-25T09:00:00Z (one that has passed runs the "
                    + "job at once)");
        }

        private static Instant parse(String value) {
            try {
                return Instant.parse(value.strip());
            } catch (DateTimeParseException notUtc) {
                try {
                    return OffsetDateTime.parse(value.strip()).toInstant();
                } catch (DateTimeParseException e) {
                    // Each of these had the fix "write ISO-8601 with a zone", which the value may well have.
                    Matcher longYear = LONG_YEAR.matcher(value.strip());
                    if (longYear.lookingAt()) {
                        throw longYear(value, longYear.group(1));
                    }
                    if (e.getCause() != null && offsetOutOfRange(value.strip())) {
                        // java.time says "Value out of range: Hour[0-23]", as if the hour of the time were wrong
                        throw new TypeConversionException(shown(value) + " is not an instant: its offset "
                                + UntrustedText.escape(WITH_OFFSET.matcher(value.strip()).replaceFirst("$2"),
                                SHOWN_CHARS) + " is outside -18:00 to "
                                + "+18:00; write an offset in them, or Z for UTC, e.g. 2026-12-25T09:00:00Z");
                    }
                    if (e.getCause() != null) { // read, but no such date or time: 02-30, 25:00
                        throw new TypeConversionException(shown(value) + " is not an instant: "
                                + UntrustedText.escape(String.valueOf(e.getCause().getMessage()))
                                + "; write a date and time that exist, e.g. 2026-12-25T09:00:00Z");
                    }
                    throw new TypeConversionException(shown(value) + " is not an instant; write ISO-8601 with a zone, "
                            + "e.g. 2026-12-25T09:00:00Z or 2026-12-25T10:00:00+01:00");
                }
            }
        }
    }

    /**
     * Any JSON value; it becomes the job's payload as it is, never bound to a class here. Numbers with
     * a fraction or an exponent are read as decimals, not doubles, so that each keeps its value and its
     * digits ({@code 0.1000000000000000000001}, {@code 1.50}, {@code 1e400}): a double would write them
     * as {@code 0.1}, {@code 1.5} and {@code "Infinity"}.
     */
    static final class JsonArgument implements ITypeConverter<JsonNode> {
        private static final ObjectMapper JSON = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();

        @Override
        public JsonNode convert(String value) {
            if (value.isBlank()) {
                throw new TypeConversionException("the payload is empty; give JSON such as '{}' or "
                        + "'{\"to\":\"user@example.com\"}'");
            }
            if (value.equals("@-")) {
                // curl's way to read standard input: "give the file's JSON, $(cat -- -)" named no file
                throw new TypeConversionException("'@-' is not JSON; jobq reads no standard input for a payload: give "
                        + "the JSON it carries, --payload \"$(cat)\"");
            }
            if (value.startsWith("@")) {
                // curl's way to name a file, never JSON: the parser's 'Unexpected character ('@')' gave no fix
                // escaped, and quoted for the shell where it needs to be: cat got 'my' and 'payload.json' of
                // 'my payload.json', and a newline in the path split the refusal and the command over two lines
                throw new TypeConversionException(UntrustedText.singleQuote(value, PATH_SHOWN_CHARS) + " is not JSON; "
                        + "jobq reads no file for a payload: give the file's JSON, --payload \"$(cat "
                        + pathArgument(value.substring(1)) + ")\"");
            }
            try {
                return JSON.readTree(value);
            } catch (JsonProcessingException e) {
                throw new TypeConversionException("not valid JSON: " + e.getOriginalMessage()
                        + " (quote it for the shell: --payload '{\"to\":\"user@example.com\"}')");
            }
        }
    }

    /**
     * {@code path} as cat's argument in the {@code --payload @FILE} hint: {@link UntrustedText#shellArgument}'s, but a
     * {@code ~/} at its start left outside the quotes ({@code ~/'my payload.json'}), for the shell to expand to the home
     * directory the user meant: after the {@code @} bash expanded no {@code ~}, and quoted, {@code cat '~/p.json'} looked
     * for a directory named {@code ~} in the current one. So too {@code ~bob/}, another user's home, whose name is a
     * login name's letters, digits, {@code .}, {@code _} and {@code -}: {@code cat '~bob/p.json'} looked for a
     * directory named {@code ~bob}.
     */
    private static String pathArgument(String path) {
        Matcher home = HOME.matcher(path);
        if (!home.lookingAt()) {
            return UntrustedText.shellArgument(path);
        }
        String rest = path.substring(home.end());
        String word = UntrustedText.shellArgument(rest);
        // after ~/ the name does not start the word: cat reads no option in it, so no "-- " before a leading dash
        return home.group() + (rest.startsWith("-") ? word.substring("-- ".length()) : word);
    }

    /**
     * A misfire policy, in any case, as picocli reads an enum; one that is none is refused with the value escaped:
     * picocli's own refusal repeated it raw, a newline in it starting a line of its own, an ANSI escape repainting the
     * terminal.
     */
    static final class MisfirePolicyArgument implements ITypeConverter<MisfirePolicy> {
        @Override
        public MisfirePolicy convert(String value) {
            for (MisfirePolicy policy : MisfirePolicy.values()) {
                if (policy.name().equalsIgnoreCase(value)) {
                    return policy;
                }
            }
            throw new TypeConversionException("expected one of " + Arrays.toString(MisfirePolicy.values())
                    + " (case-insensitive) but was " + shown(value));
        }
    }

    /** An IANA zone name ({@code America/New_York}) or {@code UTC}. */
    static final class ZoneArgument implements ITypeConverter<ZoneId> {
        @Override
        public ZoneId convert(String value) {
            try {
                return ZoneId.of(value.strip());
            } catch (DateTimeException e) {
                throw new TypeConversionException(shown(value) + " is not a time zone; use an IANA name such as "
                        + "America/New_York, Europe/Berlin or UTC");
            }
        }
    }
}
