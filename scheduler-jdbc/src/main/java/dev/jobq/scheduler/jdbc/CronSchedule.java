package dev.jobq.scheduler.jdbc;

import com.cronutils.model.time.ExecutionTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A 5-field cron expression matched against the wall clock of {@code zone}. Matching happens on
 * local date-times (cron-utils on a zone without transitions), and each match is then placed in
 * the zone by the rules of Vixie cron and cronie:
 *
 * <ul>
 *   <li>a wall-clock time that does not exist because the clocks jumped forward fires at the
 *       instant the gap ends;</li>
 *   <li>a wall-clock time that exists twice because the clocks fell back fires once, at its first
 *       (daylight-time) occurrence, when the expression names fixed times ({@code everyPass} false:
 *       its minute and hour fields are plain values or lists of them, such as {@code 30 1 * * *});
 *       and at both occurrences when it runs on a pattern ({@code everyPass} true: a {@code *},
 *       a step or a range in the minute or hour field, such as {@code @hourly} or
 *       {@code *}{@code /15 * * * *}), so that such a job keeps its pace in elapsed time.</li>
 * </ul>
 */
record CronSchedule(String expression, ZoneId zone, ExecutionTime execution, boolean everyPass) implements Schedule {

    /** Enough for any expression that fires at all: matches are at most a few years apart. */
    private static final int MAX_STEPS = 10_000;
    /**
     * A field of plain values, such as {@code 30} or {@code 0,30}. Possessive, as digits and commas are told apart
     * without going back: {@code \d+(,\d+)*} recursed once a comma, and a list of 5,000 overflowed the stack.
     */
    private static final Pattern PLAIN_VALUES = Pattern.compile("\\d++(?:,\\d++)*+");

    /**
     * Whether a cron expression (5 fields, nicknames already expanded) fires in both passes of a
     * repeated hour: true unless its minute and hour fields are plain values or lists of them.
     */
    static boolean firesInEveryPass(String fiveFields) {
        String[] fields = fiveFields.strip().split("\\s+");
        return !(PLAIN_VALUES.matcher(fields[0]).matches() && PLAIN_VALUES.matcher(fields[1]).matches());
    }

    @Override
    public Instant first(Instant now) {
        return nextAfter(now, now);
    }

    @Override
    public Instant nextAfter(Instant gridPoint, Instant instant) {
        ZoneRules rules = zone.getRules();
        // Each wall-clock match placed at its first occurrence: these instants rise with the match.
        Instant firstPass = firstAfter(instant, LocalDateTime.ofInstant(instant, zone), this::place);
        if (!everyPass) {
            return firstPass;
        }
        // Each match placed at its last occurrence, which rise with the match too. Inside the first
        // pass of a repeated hour, the second pass's readings are behind the clock: start there.
        LocalDateTime reading = LocalDateTime.ofInstant(instant, zone);
        ZoneOffsetTransition next = rules.nextTransition(instant);
        if (next != null && next.isOverlap() && !reading.isBefore(next.getDateTimeAfter())) {
            reading = LocalDateTime.ofInstant(instant, next.getOffsetAfter());
        }
        Instant secondPass = firstAfter(instant, reading, this::placeLast);
        return secondPass.isBefore(firstPass) ? secondPass : firstPass;
    }

    /** The first match after {@code from}, placed by {@code placing}, that is after {@code instant}. */
    private Instant firstAfter(Instant instant, LocalDateTime from, Function<LocalDateTime, Instant> placing) {
        ZonedDateTime probe = from.atZone(ZoneOffset.UTC);
        for (int i = 0; i < MAX_STEPS; i++) {
            ZonedDateTime match = execution.nextExecution(probe).orElseThrow(() -> new IllegalStateException(
                    "cron expression '" + expression + "' has no occurrence after " + instant));
            Instant candidate = placing.apply(match.toLocalDateTime());
            if (candidate.isAfter(instant)) {
                return candidate;
            }
            // A wall-clock time repeated by a fall-back, already passed in the pass being placed.
            probe = match;
        }
        throw new IllegalStateException("cron expression '" + expression + "' found no occurrence after " + instant
                + " in " + MAX_STEPS + " steps");
    }

    /** A wall-clock time in the zone: the end of a gap, or the first of two occurrences. */
    private Instant place(LocalDateTime wallClock) {
        ZoneOffsetTransition transition = zone.getRules().getTransition(wallClock);
        if (transition != null && transition.isGap()) {
            return transition.getInstant();
        }
        // For an overlap, atZone keeps the earlier offset: the first of the two occurrences.
        return wallClock.atZone(zone).toInstant();
    }

    /** A wall-clock time in the zone: the end of a gap, or the second of two occurrences. */
    private Instant placeLast(LocalDateTime wallClock) {
        ZoneOffsetTransition transition = zone.getRules().getTransition(wallClock);
        if (transition != null && transition.isOverlap()) {
            return wallClock.atOffset(transition.getOffsetAfter()).toInstant();
        }
        return place(wallClock);
    }
}
