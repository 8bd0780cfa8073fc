package dev.jobq.internal.config;

import dev.jobq.Backoff;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code worker.backoff}: the default retry policy. Only the keys of the chosen type are known, so
 * {@code delay:} under {@code type: exponential} is reported rather than silently ignored. Jitter
 * defaults to {@link Backoff#DEFAULT_JITTER} for exponential and to none for fixed and list.
 */
final class BackoffSectionReader {

    private enum Type { EXPONENTIAL, FIXED, LIST, NONE }

    private static final Pattern PLAIN_DECIMAL = Pattern.compile("\\+?(\\d+(\\.\\d*)?|\\.\\d+)");
    /** Below every range read here: returned for a delay only where none was read. */
    private static final Duration NOT_READ = Duration.ofMillis(-1);

    private BackoffSectionReader() {
    }

    static Backoff read(Settings section) {
        if (section.keys().isEmpty()) {
            return WorkerSettings.DEFAULT_BACKOFF;
        }
        Type type = section.choice("type", Type.class, Type.EXPONENTIAL);
        Backoff backoff = switch (type) {
            case EXPONENTIAL -> exponential(section);
            case FIXED -> fixed(section);
            case LIST -> list(section);
            case NONE -> Backoff.none();
        };
        double jitter = type == Type.NONE ? 0 : jitter(section, type == Type.EXPONENTIAL ? Backoff.DEFAULT_JITTER : 0);
        section.checkNoUnknownKeys();
        return jitter > 0 ? backoff.withJitter(jitter) : backoff;
    }

    private static Backoff exponential(Settings section) {
        int problemsBefore = section.problems().size();
        Duration base = section.duration("base", Backoff.DEFAULT_BASE, Duration.ZERO, Limits.MAX_BACKOFF);
        boolean baseRead = section.problems().size() == problemsBefore;
        int problemsBeforeMax = section.problems().size();
        String written = section.string("max"); // a section or a list is refused here, as no single value
        Duration max = section.problems().size() > problemsBeforeMax ? Backoff.DEFAULT_CAP
                : section.duration("max", Backoff.DEFAULT_CAP, advisedFrom(written, baseRead ? base : Duration.ZERO),
                        Limits.MAX_BACKOFF);
        if (section.problems().size() > problemsBefore) {
            // refused as written; not again as, or against, the default it falls back to ("got 1h" of a max never
            // written, "must be ≥ base (1s)" of a base never written)
            return Backoff.exponential(base, base);
        }
        if (max.compareTo(base) < 0) {
            String baseText = DurationFormat.formatExact(base);
            String maxText = DurationFormat.formatExact(max);
            // an empty max (max: '', a ${VAR:-} left unset, max: ~) reads as absent, as the default: not as written
            // base read, so a single value or none: string() refuses nothing here, and is null for an empty one
            boolean baseWritten = section.string("base") != null;
            section.problem("max", written != null && !baseWritten ? "must be ≥ base, " + baseText + " when not "
                    + "written, got " + maxText + "; write max: " + baseText + " or more, or base: " + maxText
                    + " or less"
                    : written != null ? "must be ≥ base (" + baseText + "), got " + maxText
                    : "is " + maxText + " when not written, less than base (" + baseText + "); write max: " + baseText
                    + " or more");
            return Backoff.exponential(base, base);
        }
        return Backoff.exponential(base, max);
    }

    /**
     * The least max that {@code written}, when it does not read (a number without a unit, a negative one), is advised:
     * base, where {@code 5} under a base of {@code 10s} was offered {@code 5ms} and {@code 5s}, and {@code -5s} told
     * {@code e.g. 5s}, each refused once written as under base. So is one in ISO-8601 that reads as negative
     * ({@code PT-5S}, {@code -PT5S}), refused as {@code -5s} is. Zero for one that reads as 0 or more (or none
     * written), so that one under base is refused naming base, as {@link #exponential} says it.
     */
    private static Duration advisedFrom(@Nullable String written, Duration base) {
        if (written == null || DurationFormat.isTooLarge(written)) {
            return Duration.ZERO;
        }
        try {
            return DurationFormat.parse(written).isNegative() ? base : Duration.ZERO;
        } catch (IllegalArgumentException notRead) {
            return base;
        }
    }

    private static Backoff fixed(Settings section) {
        int problemsBefore = section.problems().size();
        // in its range, as base and max are: one too large to hold is refused with the maximum, as they refuse it
        Duration delay = section.duration("delay", NOT_READ, Duration.ZERO, Limits.MAX_BACKOFF);
        if (delay.equals(NOT_READ)) {
            if (section.problems().size() == problemsBefore) {
                section.problem("delay", "is required for type fixed; write e.g. delay: 10s");
            }
            return Backoff.none();
        }
        return Backoff.fixed(delay);
    }

    private static Backoff list(Settings section) {
        int problemsBefore = section.problems().size();
        List<String> texts = section.items("delays", List.of());
        if (texts.isEmpty()) {
            if (section.problems().size() == problemsBefore) { // else not a list, and said so
                section.problem("delays", "is required for type list; write e.g. delays: [5s, 1m, 10m]");
            }
            return Backoff.none();
        }
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isEmpty()) {
                // left out, every later delay would move one attempt earlier
                section.problem("delays[" + i + "]", "is empty; write a duration such as 1m there, or remove the item "
                        + "(the delays are the waits after attempt 1, 2, … in order)");
                continue;
            }
            if (DurationFormat.isTooLarge(texts.get(i))) {
                // as a delay under the maximum is refused, not as "too large for a duration", which says no maximum
                section.problem("delays[" + i + "]", "must be ≤ " + DurationFormat.format(Limits.MAX_BACKOFF)
                        + ", got " + texts.get(i).strip());
                continue;
            }
            try {
                // its advice (a bare number's units, a negative one's example) within the range, as a key's is
                Duration delay = DurationFormat.parseWithin(texts.get(i), Duration.ZERO, Limits.MAX_BACKOFF);
                String outOfRange = outOfRange(delay, texts.get(i));
                if (outOfRange != null) {
                    section.problem("delays[" + i + "]", outOfRange);
                } else {
                    delays.add(delay);
                }
            } catch (IllegalArgumentException e) {
                section.problem("delays[" + i + "]", e.getMessage());
            }
        }
        return delays.size() == texts.size() ? Backoff.list(delays.toArray(Duration[]::new)) : Backoff.none();
    }

    /**
     * Why a listed wait cannot be used, as the other keys word it, or null: the {@link Backoff}
     * factories refuse one beyond {@link Backoff#MAX_DELAY} with an exception, which would escape the
     * loader without the key's path. A negative one {@link DurationFormat#parseWithin} refuses, as written.
     */
    private static @Nullable String outOfRange(Duration delay, String written) {
        if (delay.compareTo(Limits.MAX_BACKOFF) > 0) {
            return "must be ≤ " + DurationFormat.format(Limits.MAX_BACKOFF) + ", got " + written;
        }
        return null;
    }

    private static double jitter(Settings section, double defaultValue) {
        String text = section.string("jitter");
        if (text == null) {
            return defaultValue;
        }
        // plain decimal, as every number of the file: Double.parseDouble alone also took 0x1p-1 and 0.5d
        if (PLAIN_DECIMAL.matcher(text.strip()).matches()) {
            double jitter = Double.parseDouble(text.strip());
            if (jitter >= 0 && jitter <= 1) {
                return jitter;
            }
        }
        section.problem("jitter", "must be a fraction of the delay from 0 to 1 (0.2 adds up to 20 %), got '" + text + "'");
        return defaultValue;
    }
}
