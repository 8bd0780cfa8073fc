package dev.jobq.internal.config;

import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.Settings;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The seeds' environment variables, which win over the file (DESIGN §8). A bad value is reported
 * with the variable's name as its path ({@code QUEUE_CONCURRENCY: must be ≥ 1, got 0}). Durations
 * may be bare numbers, read as milliseconds as the seeds do, or carry a unit like the file's.
 * Unset or empty variables override nothing.
 */
record EnvironmentOverrides(@Nullable Integer concurrency, @Nullable Duration pollInterval,
                            @Nullable Duration shutdownTimeout, @Nullable Boolean schedulerEnabled,
                            @Nullable Duration schedulerPollInterval) {

    static final String QUEUE_CONCURRENCY = "QUEUE_CONCURRENCY";
    static final String QUEUE_POLL_INTERVAL = "QUEUE_POLL_INTERVAL";
    static final String QUEUE_SHUTDOWN_TIMEOUT = "QUEUE_SHUTDOWN_TIMEOUT";
    static final String SCHEDULER_ENABLED = "SCHEDULER_ENABLED";
    static final String SCHEDULER_POLL_INTERVAL = "SCHEDULER_POLL_INTERVAL";

    private static final List<String> DURATIONS = List.of(QUEUE_POLL_INTERVAL, QUEUE_SHUTDOWN_TIMEOUT,
            SCHEDULER_POLL_INTERVAL);
    /** The characters of a refused value a problem shows, as Settings shows the file's; the rest is cut. */
    private static final int VALUE_PREVIEW_CHARS = 80;
    private static final String MILLISECONDS = " milliseconds";

    /**
     * @param anySection any section of the file being loaded; problems go to its problem list
     */
    static EnvironmentOverrides read(Map<String, String> env, Settings anySection) {
        Map<String, String> present = new LinkedHashMap<>();
        Map<String, String> notDurations = new LinkedHashMap<>();
        Map<String, String> tooLarge = new LinkedHashMap<>();
        for (String name : List.of(QUEUE_CONCURRENCY, QUEUE_POLL_INTERVAL, QUEUE_SHUTDOWN_TIMEOUT, SCHEDULER_ENABLED,
                SCHEDULER_POLL_INTERVAL)) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                String text = value.strip();
                if (!DURATIONS.contains(name)) {
                    present.put(name, text);
                } else if (text.matches("-\\s*0+")) {
                    // 0 milliseconds, as -0s is 0 (and --delay -0 told what 0 is): it was told it is negative, e.g. 0
                    present.put(name, "0ms");
                } else if (text.matches("\\d+")) {
                    String millis = text.replaceFirst("^0+(?=\\d)", "");
                    // past 18 digits a long may not hold them: refused here, as set, not as "'…ms' is too large"
                    if (millis.length() > 18) {
                        tooLarge.put(name, text + MILLISECONDS);
                    } else {
                        present.put(name, millis + "ms");
                    }
                } else if (isDuration(text)) {
                    present.put(name, text);
                } else if (DurationFormat.isTooLarge(text)) {
                    // 99999999999999999999s: its form is right and it is too large; "not a duration" sent one to the form
                    tooLarge.put(name, text);
                } else {
                    notDurations.put(name, text);
                }
            }
        }
        Settings vars = anySection.sibling("", present);
        return new EnvironmentOverrides(
                vars.has(QUEUE_CONCURRENCY)
                        ? vars.integer(QUEUE_CONCURRENCY, WorkerSettings.DEFAULT_CONCURRENCY, 1,
                                Limits.MAX_CONCURRENCY)
                        : null,
                duration(vars, notDurations, tooLarge, QUEUE_POLL_INTERVAL, Limits.MIN_POLL_INTERVAL,
                        Limits.MAX_POLL_INTERVAL),
                duration(vars, notDurations, tooLarge, QUEUE_SHUTDOWN_TIMEOUT, Duration.ZERO,
                        Limits.MAX_SHUTDOWN_TIMEOUT),
                vars.has(SCHEDULER_ENABLED) ? vars.bool(SCHEDULER_ENABLED, false) : null,
                duration(vars, notDurations, tooLarge, SCHEDULER_POLL_INTERVAL, Limits.MIN_POLL_INTERVAL,
                        Limits.MAX_POLL_INTERVAL));
    }

    private static boolean isDuration(String text) {
        try {
            DurationFormat.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static @Nullable Duration duration(Settings vars, Map<String, String> notDurations,
                                               Map<String, String> tooLarge, String name, Duration min,
                                               Duration max) {
        if (tooLarge.containsKey(name)) {
            vars.problem(name, "must be ≤ " + DurationFormat.format(max) + ", got "
                    + shownTooLarge(tooLarge.get(name)));
            return null;
        }
        String bad = notDurations.get(name);
        String positive = bad == null || !bad.startsWith("-") ? null : bad.substring(1).strip();
        if (positive != null && positive.indexOf('-') >= 0 && isDuration(positive)) {
            // -P-1D, which java.time reads as a day: said as the file's is, not "negative, e.g. 0s" from P-1D
            try {
                DurationFormat.parseWithin(bad, min, max);
            } catch (IllegalArgumentException twoMinuses) {
                vars.problem(name, Settings.shownRefusal(String.valueOf(twoMinuses.getMessage()), bad));
                return null;
            }
        }
        if (positive != null && (positive.matches("\\d+") || isDuration(positive)
                || DurationFormat.isTooLarge(positive))) {
            // as the file's '-5s' is told: "is not a duration" sent one looking at the form, not at the sign; also
            // when it is too large to count (-99999999999999999999s), as the file's is
            vars.problem(name, Settings.shownRefusal(
                    DurationFormat.negative(bad, exampleWithin(positive, min, max), min, max), bad));
            return null;
        }
        if (bad != null) {
            // the file's message asks for a unit; here a bare number is the seeds' milliseconds, so say both
            vars.problem(name, Settings.shownValue(bad) + " is not a duration; write whole milliseconds (1000) or a "
                    + "duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like PT30S");
            return null;
        }
        return vars.has(name) ? vars.duration(name, min, min, max) : null;
    }

    /**
     * The example a refusal of {@code -unsigned} gives: one the variable takes, as the file's key gives. A bare number
     * is the seeds' milliseconds, so it is offered as that and, when the variable takes it, in seconds too.
     */
    private static String exampleWithin(String unsigned, Duration min, Duration max) {
        if (!unsigned.matches("\\d+")) {
            return DurationFormat.exampleWithin(unsigned, min, max);
        }
        String millis = DurationFormat.exampleWithin(unsigned + "ms", min, max);
        if (!millis.equals(unsigned + "ms")) {
            return millis;
        }
        String seconds = unsigned + "s";
        return unsigned + " (milliseconds)"
                + (DurationFormat.exampleWithin(seconds, min, max).equals(seconds) ? " or " + seconds : "");
    }

    /**
     * A value too large for its variable, unquoted as the file's is: bare milliseconds with their unit said after the
     * cut ({@code 999…999… milliseconds (100000 digits)}), else cut with its length in characters.
     */
    private static String shownTooLarge(String value) {
        boolean millis = value.endsWith(MILLISECONDS);
        String text = Secrets.maskUrl(millis ? value.substring(0, value.length() - MILLISECONDS.length()) : value);
        return UntrustedText.escape(text, VALUE_PREVIEW_CHARS) + (millis ? MILLISECONDS : "")
                + (text.length() > VALUE_PREVIEW_CHARS
                        ? " (" + text.length() + (millis ? " digits)" : " characters)") : "");
    }

    /** The override when the variable was set, else the file's value. */
    static <T> T or(@Nullable T override, T fromFile) {
        return override != null ? override : fromFile;
    }
}
