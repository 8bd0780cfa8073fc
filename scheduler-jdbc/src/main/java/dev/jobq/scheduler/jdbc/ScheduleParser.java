package dev.jobq.scheduler.jdbc;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.jobq.spi.UntrustedText;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Reads a recurring job's schedule text: a 5-field UNIX cron expression, a nickname
 * ({@code @hourly} … {@code @yearly}), or {@code every N second|minute|hour|day|week[s]}. Every
 * error names the job, the text, what is wrong and what to write instead. Thread-safe.
 */
final class ScheduleParser {

    static final Duration MAX_INTERVAL = Duration.ofDays(366);

    /** A Go duration of whole hours, minutes and seconds, such as {@code 1h30m}: robfig/cron's {@code @every 1h30m}. */
    private static final Pattern GO_DURATION = Pattern.compile("(?:(\\d{1,9})h)?(?:(\\d{1,9})m)?(?:(\\d{1,9})s)?");
    private static final Pattern INTERVAL = Pattern.compile("every\\s+(\\S+)\\s+(\\S+)", Pattern.CASE_INSENSITIVE);
    private static final Map<String, String> NICKNAMES = Map.of(
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *",
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");
    private static final Map<String, ChronoUnit> UNITS = Map.of(
            "second", ChronoUnit.SECONDS,
            "minute", ChronoUnit.MINUTES,
            "hour", ChronoUnit.HOURS,
            "day", ChronoUnit.DAYS,
            "week", ChronoUnit.WEEKS);
    private static final String FORMS = "write 5 fields 'minute hour day-of-month month day-of-week' such as "
            + "'0 9 * * *', a nickname (@hourly, @daily, @weekly, @monthly, @yearly), or an interval such as "
            + "'every 15 minutes'";

    /**
     * A field written in Quartz's extensions, some of which other schedulers' cron reads too: {@code ?},
     * {@code L}, {@code LW}, {@code L-3}, {@code 15W}, {@code 5L}, {@code MON#2}. Month and day names
     * that hold an L or a W ({@code JUL}, {@code WED}) are not matched.
     */
    private static final Pattern QUARTZ_FIELD = Pattern.compile(
            "(^|[\\s,])(\\?|L(W|-\\d+)?|\\d+[WL]|\\w+#\\d+)($|[\\s,])", Pattern.CASE_INSENSITIVE);
    private static final String NO_QUARTZ = "; ?, L, W and # are Quartz extensions, not in 5-field UNIX cron: write * "
            + "for ?, and for the last day of a month run on days 28-31 ('0 0 28-31 * *') and let the handler go "
            + "on only when tomorrow is the 1st";

    private static final List<String> FIELDS = List.of("minute", "hour", "day-of-month", "month", "day-of-week");
    private static final List<String> RANGES = List.of("minutes are 0-59", "hours are 0-23",
            "days of the month are 1-31", "months are 1-12 (or JAN-DEC)",
            "days of the week are 0-7, 0 and 7 being Sunday (or SUN-SAT)");
    /** What one value of each field is, for an error naming a value that is none. */
    private static final List<String> UNITS_OF = List.of("a minute", "an hour", "a day of the month", "a month",
            "a day of the week");
    private static final Pattern ZERO_STEP = Pattern.compile(".*/0+");
    /** A seconds field that is a step: {@code *}{@code /30}, {@code 0/30}, {@code 5/30}. */
    private static final Pattern SECONDS_STEP = Pattern.compile("(\\*|\\d{1,2})/0*([1-9]\\d?)");
    /**
     * A seconds field that is a list of seconds: {@code 0,30}. Possessive, as digits and commas are told apart without
     * going back: {@code (?:,\d{1,2})+} recursed once a comma, and a list of 5,000 overflowed the stack.
     */
    private static final Pattern SECONDS_LIST = Pattern.compile("\\d{1,2}+(?:,\\d{1,2}+)++");
    /**
     * Quartz's seventh field naming years: {@code 2027}, {@code 2026-2028}, {@code 2026,2028}, {@code 2026/2}. A
     * character class, possessive: no group repeated, which java.util.regex recurses on.
     */
    private static final Pattern YEARS = Pattern.compile("(?=.*\\d)[\\d,/-]++");
    /**
     * An item of a year field, of years as Quartz reads them (leading zeros too: {@code 02027} is 2027): {@code 2027},
     * {@code 2027-2030}, {@code 2026/2}.
     */
    private static final Pattern YEAR_ITEM = Pattern.compile("(\\d++)(?:-(\\d++))?(?:/(\\d++))?");
    /** The first year of Quartz's year field, as its documentation gives it. */
    private static final int FIRST_YEAR = 1970;
    /** The last year of Quartz's year field, as its documentation gives it. */
    private static final int LAST_YEAR = 2099;
    private static final Pattern SUNDAY_RANGE = Pattern.compile("(^|,)SUN-(?!(SUN|7|0)\\b)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern RANGE = Pattern.compile("(\\w+)-(\\w+)");
    /** The least and greatest value of each field (a day of the week of 7, Sunday again, left to cron-utils). */
    private static final int[] MIN = {0, 0, 1, 1, 0};
    private static final int[] MAX = {59, 23, 31, 12, 6};
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final CronParser cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    /**
     * UNIX cron whose day must match both day fields: what cron(8) does when either starts with {@code *}. cron-utils'
     * UNIX reads {@code *}{@code /2} as restricted and fires on a day matching either.
     */
    private final CronParser bothDays = new CronParser(
            bothDays(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)));

    /**
     * The schedule of job {@code name}.
     *
     * @throws IllegalArgumentException naming the job, the text and the fix
     */
    Schedule parse(String name, String text, ZoneId zone) {
        String schedule = text.strip();
        String lower = schedule.toLowerCase(Locale.ROOT);
        if (lower.startsWith("every")) {
            return interval(name, schedule);
        }
        if (lower.startsWith("@")) {
            String expression = NICKNAMES.get(lower);
            if (expression == null) {
                throw new IllegalArgumentException(prefix(name) + "schedule " + shown(text) + " is not a known "
                        + "nickname; " + (lower.startsWith("@every") ? "jobq writes an interval without the @ and with "
                        + "its unit in words: write " + goEvery(lower.substring("@every".length()).strip())
                        : "use @hourly, @daily, @weekly, @monthly or @yearly (also @midnight, @annually)"));
            }
            return cron(name, text, expression, zone);
        }
        return cron(name, text, schedule, zone);
    }

    /**
     * The interval to write for robfig/cron's (Go) {@code @every <duration>}: a duration of whole hours, minutes and
     * seconds ({@code 1h30m}) in its largest whole unit ({@code 'every 90 minutes'}), the longest interval for one
     * longer than that, else the form to write.
     */
    private static String goEvery(String duration) {
        Matcher go = GO_DURATION.matcher(duration);
        long seconds = 0;
        if (go.matches() && !duration.isEmpty()) {
            for (int group = 1; group <= 3; group++) {
                if (go.group(group) != null) {
                    seconds += Long.parseLong(go.group(group)) * (group == 1 ? 3_600 : group == 2 ? 60 : 1);
                }
            }
        }
        if (seconds > MAX_INTERVAL.getSeconds()) {
            return "one of at most 366 days ('every 366 days'); for runs further apart use a cron expression such as "
                    + "'0 0 1 1 *'";
        }
        if (seconds < 1) {
            return "'every N second|minute|hour|day|week' with a whole N ≥ 1, such as 'every 15 minutes'";
        }
        String unit = seconds % 3_600 == 0 ? "hour" : seconds % 60 == 0 ? "minute" : "second";
        long count = seconds / (unit.equals("hour") ? 3_600 : unit.equals("minute") ? 60 : 1);
        return "'every " + count + " " + unit + (count == 1 ? "" : "s") + "'";
    }

    private Schedule cron(String name, String text, String expression, ZoneId zone) {
        Cron parsed;
        try {
            parsed = parserFor(expression).parse(sundayAsZero(expression)).validate();
        } catch (IllegalArgumentException e) {
            // Without cron-utils' exception as the cause, here and below: its message repeats the expression's parts
            // raw ("Invalid chars in expression! Expression: MON\u001b[31MX"), and a log line with the refusal's
            // stack trace showed them so after "Caused by:". What it says, the last refusal repeats escaped.
            String zeroStep = zeroStep(expression);
            if (zeroStep != null) {
                throw new IllegalArgumentException(prefix(name) + "schedule " + shown(text) + " is not a valid cron "
                        + "expression (" + zeroStep + "; a step is how many values apart the runs are, at least 1); "
                        + "write * for every value, or a step of 1 or more such as '*/5'");
            }
            String outOfRange = outOfRange(expression);
            if (outOfRange != null) {
                throw new IllegalArgumentException(prefix(name) + "schedule " + shown(text) + " is not a valid cron "
                        + "expression (" + outOfRange + "); write a value in that range");
            }
            String backwards = backwardsRange(expression);
            if (backwards != null) {
                throw new IllegalArgumentException(prefix(name) + "schedule " + shown(text) + " is not a valid cron "
                        + "expression (" + UntrustedText.escape(backwards));
            }
            throw new IllegalArgumentException(prefix(name) + "schedule " + shown(text) + " is not a valid cron "
                    + "expression (" + UntrustedText.escape(String.valueOf(e.getMessage())) + "); "
                    + UntrustedText.escape(fix(expression)));
        }
        var schedule = new CronSchedule(text, zone, ExecutionTime.forCron(parsed),
                CronSchedule.firesInEveryPass(expression));
        try {
            schedule.first(Instant.EPOCH);
        } catch (IllegalStateException never) {
            // Without CronSchedule's exception as the cause: its message repeats the expression raw.
            throw new IllegalArgumentException(prefix(name) + "cron expression " + shown(text) + " never fires; "
                    + "check its day-of-month and month fields" + missingDay(expression));
        }
        return schedule;
    }

    /**
     * The parser that reads {@code expression}'s two day fields as cron(8) does: a day matching either when both are
     * restricted, and both when either starts with {@code *} ({@code *}, {@code *}{@code /2}): Vixie cron and cronie
     * test the field's first character, so a step from {@code *} counts as unrestricted there.
     */
    private CronParser parserFor(String expression) {
        String[] fields = expression.strip().split("\\s+");
        boolean unrestricted = fields.length == FIELDS.size()
                && (fields[2].startsWith("*") || fields[4].startsWith("*"));
        return unrestricted ? bothDays : cron;
    }

    private static CronDefinition bothDays(CronDefinition unix) {
        return new CronDefinition(new ArrayList<>(unix.getFieldDefinitions()), unix.getCronConstraints(),
                unix.getCronNicknames(), true);
    }

    /**
     * What to write instead of {@code expression}: for another system's form that jobq reads otherwise,
     * the same schedule in jobq's; else the forms jobq reads. Six fields are usually a timezone written
     * into the schedule (sidekiq-cron's {@code 0 9 * * * America/New_York}, cron's {@code CRON_TZ=}) or
     * a seconds field first (Quartz, Spring and JobRunr; Quartz also has a seventh, the year, which jobq has not:
     * one naming years is told so).
     */
    private String fix(String expression) {
        List<String> fields = List.of(expression.split("\\s+"));
        if (fields.size() == 6 && (isZone(fields.getLast()) || fields.getFirst().matches("(CRON_)?TZ=.+"))) {
            boolean last = isZone(fields.getLast());
            String zone = last ? fields.getLast() : fields.getFirst().substring(fields.getFirst().indexOf('=') + 1);
            String cron = String.join(" ", last ? fields.subList(0, 5) : fields.subList(1, 6));
            return "the timezone does not go in the schedule: write '" + cron + "' and set the job's timezone to '"
                    + zone + "' (RecurringJob.Builder.timezone, or --timezone of jobq recurring add)";
        }
        boolean quartzYear = fields.size() == 7 && (fields.getLast().equals("*") || fields.getLast().equals("?"));
        boolean years = fields.size() == 7 && YEARS.matcher(fields.getLast()).matches();
        if (fields.size() == 6 || quartzYear || years) {
            String cron = String.join(" ", fields.subList(1, 6)).replace('?', '*');
            if (isCron(cron)) {
                return secondsFieldFix(fields.getFirst(), cron, fields.get(5).chars().anyMatch(Character::isDigit)
                        ? " (numbered days of the week differ between systems, Quartz's 1 being Sunday and cron's 1 "
                        + "Monday: names such as MON-FRI read the same everywhere)" : "")
                        + (years ? "; nor a year field, Quartz's seventh" + yearsFix(fields.getLast()) : "");
            }
        }
        return FORMS + (QUARTZ_FIELD.matcher(expression).find() ? NO_QUARTZ : "");
    }

    /**
     * What to do for Quartz's year field {@code years}: what jobq is told to write instead fires in every year from
     * the job's registration on, a year before the first included. Only to delete the job once the years were over
     * had '0 0 9 * * ? 2027', registered in 2026, fire from the next day on, and '2026,2028' fire in 2027 too. Begins
     * with what follows "nor a year field, Quartz's seventh": its ':', or that {@code years} names no year. The years
     * advised are those of {@value #FIRST_YEAR} to {@value #LAST_YEAR} that Quartz fires for the field, items reaching
     * outside them named: '2027,1969' and '1969/2' were told they name no year, though Quartz fires 2027 and odd years.
     */
    private static String yearsFix(String years) {
        String[] items = years.split(",", -1);
        BitSet fired = new BitSet();
        List<String> outside = new ArrayList<>();
        for (String item : items) {
            if (!yearsFired(item, fired, outside)) {
                fired.clear();
                break;
            }
        }
        if (fired.isEmpty()) {
            // '5' or '1-' was told to register the job as each year of it begins, '2100' once 2100 begins
            return ", whose " + shown(years) + " names no year either (a year is one of " + FIRST_YEAR + " to "
                    + LAST_YEAR + ", the years Quartz documents, a range from low to high: 2027, 2027-2030, 2026,2028, "
                    + "2026/2): the schedule fires in every year from the job's registration on";
        }
        int first = fired.nextSetBit(0);
        int last = fired.length() - 1;
        String when = fired.cardinality() == last - first + 1
                ? "once " + (FIRST_YEAR + first) + " begins and delete it (deleteRecurring, or jobq recurring delete) "
                        + "once " + (FIRST_YEAR + last) + " is over"
                : "as each year of " + shown(years) + " begins and delete it (deleteRecurring, or jobq recurring "
                        + "delete) as that year ends";
        return ": the schedule fires in every year from the job's registration on, so register the job " + when
                + (outside.isEmpty() ? "" : ", leaving out what " + shown(String.join(",", outside)) + " names outside "
                        + FIRST_YEAR + " to " + LAST_YEAR + ", the years Quartz documents");
    }

    /**
     * Sets in {@code fired} (bit 0 for {@value #FIRST_YEAR}) the years of {@value #FIRST_YEAR} to {@value #LAST_YEAR}
     * that Quartz fires for {@code item}, one item of a year field, adding it to {@code outside} when it names years
     * outside them too ({@code 1969-2027}, {@code 1969/2}: a step runs on past {@value #LAST_YEAR}, which is not
     * counted). False where the item names no year: not years ({@code 5} has too few digits to be in range, {@code 1-}
     * is not an item), or a range from high to low, which Quartz refuses ("Start year must be less than stop year")
     * but with a step of 0: that fires its first year alone, as {@code 2027-2030/0} does.
     */
    private static boolean yearsFired(String item, BitSet fired, List<String> outside) {
        Matcher years = YEAR_ITEM.matcher(item);
        if (!years.matches()) {
            return false;
        }
        int start = year(years.group(1));
        int step = years.group(3) != null ? year(years.group(3)) : 1;
        // a step of 0 fires its first year alone in Quartz, a range's too: '2027/0' and '2027-2030/0' are 2027
        int end = step == 0 ? start
                : years.group(2) != null ? year(years.group(2))
                : years.group(3) != null ? LAST_YEAR : start;
        step = Math.max(1, step);
        if (start > end && years.group(2) != null) {
            return false;
        }
        if (start < FIRST_YEAR || start > LAST_YEAR || (years.group(2) != null && end > LAST_YEAR)) {
            outside.add(item);
        }
        for (int year = start; year <= Math.min(end, LAST_YEAR); year += step) {
            if (year >= FIRST_YEAR) {
                fired.set(year - FIRST_YEAR);
            }
        }
        return true;
    }

    /** The year {@code digits} give, leading zeros and all, or past {@value #LAST_YEAR} where they are too many. */
    private static int year(String digits) {
        String significant = digits.replaceFirst("^0+(?=\\d)", "");
        return significant.length() > 5 ? LAST_YEAR + 1 : Integer.parseInt(significant);
    }

    /**
     * What to write for a seconds field first and the five fields after it ({@code cron}, {@code days} saying what
     * its day-of-week field means): those five where the seconds field fires at second 0 alone ({@code 0}, or a step
     * from 0 of a minute or more, {@code *}{@code /60}); an interval where it fires evenly through the minute
     * ({@link #secondsApart}) and the five fire every minute; else the five, saying that they fire at second 0 and
     * the seconds written are lost.
     */
    private static String secondsFieldFix(String seconds, String cron, String days) {
        String lead = "jobq's cron has no seconds field, which Quartz, Spring and JobRunr put first";
        String orInterval = ", or for runs less than a minute apart an interval such as 'every 30 seconds'";
        Matcher step = SECONDS_STEP.matcher(seconds);
        boolean fromZero = step.matches() && (step.group(1).equals("*") || Integer.parseInt(step.group(1)) == 0);
        if (seconds.equals("0") || seconds.equals("00") || fromZero && Integer.parseInt(step.group(2)) >= 60) {
            return lead + ": write '" + cron + "'" + days + orInterval;
        }
        int[] apart = secondsApart(seconds);
        if (everyMinute(cron) && apart != null) {
            String interval = "every " + apart[1] + " second" + (apart[1] == 1 ? "" : "s");
            return lead + ": for a run " + interval + " write the interval '" + interval + "' (its runs counted "
                    + "from the job's registration, not from second " + apart[0] + ")";
        }
        return lead + ": write '" + cron + "'" + days + " to fire in the same minutes at second 0 (the seconds '"
                + seconds + "' are lost)" + orInterval;
    }

    /** Whether 5 fields fire every minute: each {@code *} or a step of 1 from it ({@code *}{@code /1}). */
    private static boolean everyMinute(String cron) {
        return Arrays.stream(cron.split(" ")).allMatch(field -> field.equals("*") || field.equals("*/1"));
    }

    /**
     * The first second and how many seconds apart a seconds field fires, where it fires evenly through the minute
     * (wrapping into the next): every second ({@code *}), a step that divides the minute from a second before its
     * second run ({@code *}{@code /30}, {@code 0/30}, {@code 5/30}) or a list of such seconds in any order
     * ({@code 0,30}, {@code 10,40}, {@code 45,0,15,30}); else null. An interval fits such a field whatever its first
     * second: its runs are counted from the job's registration. A list was told its seconds were lost where a step
     * of the same seconds was told the interval, and a step or a list from another second than 0 so too.
     */
    private static int @Nullable [] secondsApart(String seconds) {
        if (seconds.equals("*")) {
            return new int[] {0, 1};
        }
        Matcher step = SECONDS_STEP.matcher(seconds);
        if (step.matches()) {
            int first = step.group(1).equals("*") ? 0 : Integer.parseInt(step.group(1));
            int every = Integer.parseInt(step.group(2));
            return 60 % every == 0 && every < 60 && first < every ? new int[] {first, every} : null;
        }
        if (!SECONDS_LIST.matcher(seconds).matches()) {
            return null;
        }
        int[] values = Arrays.stream(seconds.split(",")).mapToInt(Integer::parseInt).sorted().distinct().toArray();
        if (values.length < 2) {
            return null;
        }
        int every = values[1] - values[0];
        if (60 % every != 0 || values.length != 60 / every || values[0] >= every) {
            return null;
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] != values[0] + i * every) {
                return null;
            }
        }
        return new int[] {values[0], every};
    }

    /**
     * The expression with a day-of-week range from {@code SUN} ({@code SUN-THU}) written from 0, as cron reads it:
     * cron-utils reads SUN in a range as 7, the end of the week, and refused {@code SUN-THU} as the backwards range
     * [7,4]. {@code SUN-SUN} (7-7) is left as it is, since 0-7 would be every day.
     */
    private static String sundayAsZero(String expression) {
        String[] fields = expression.split("\\s+");
        if (fields.length != FIELDS.size()) {
            return expression;
        }
        fields[4] = SUNDAY_RANGE.matcher(fields[4]).replaceAll("$10-");
        return String.join(" ", fields);
    }

    /**
     * "its minute field '*{@literal /}0' has a step of 0" for the first part of a 5-field expression with a step of 0, else
     * null: cron-utils says "Period 0 not in range [0, 59]", a range 0 is in.
     */
    private static @Nullable String zeroStep(String expression) {
        String[] fields = expression.split("\\s+");
        if (fields.length != FIELDS.size()) {
            return null;
        }
        for (int i = 0; i < fields.length; i++) {
            for (String part : fields[i].split(",")) {
                if (ZERO_STEP.matcher(part).matches()) {
                    return "its " + FIELDS.get(i) + " field " + shown(part) + " has a step of 0";
                }
            }
        }
        return null;
    }

    /**
     * "its minute field's value 61 is out of range: minutes are 0-59" for the first number of a 5-field expression
     * outside its field, "its month field's 'MON' is not a month: months are 1-12 (or JAN-DEC)" for a name the field
     * does not have, or "its hour field's step 24 is out of range: hours are 0-23, so a step is 1-23" for a step
     * longer than its field, else null: cron-utils says "Value 61 not in range [0, 59]" and "Period 24 not in range
     * [0, 23]", and for a name "Invalid chars in expression!", naming no field.
     */
    private static @Nullable String outOfRange(String expression) {
        String[] fields = expression.split("\\s+");
        if (fields.length != FIELDS.size()) {
            return null;
        }
        for (int i = 0; i < fields.length; i++) {
            for (String part : fields[i].split(",")) {
                for (String value : part.replaceFirst("/.*", "").split("-")) {
                    // Day of the week 7 is Sunday again.
                    if (value.matches("\\d{1,9}")
                            && (Integer.parseInt(value) < MIN[i] || Integer.parseInt(value) > (i == 4 ? 7 : MAX[i]))) {
                        return "its " + FIELDS.get(i) + " field's value " + value + " is out of range: " + RANGES.get(i);
                    }
                    // Three letters or more: L, W and LW are Quartz's, which fix() names.
                    if (value.matches("[A-Za-z]{3,}") && fieldValue(i, value) < 0) {
                        return "its " + FIELDS.get(i) + " field's '" + value + "' is not " + UNITS_OF.get(i) + ": "
                                + RANGES.get(i);
                    }
                }
                String step = part.substring(part.indexOf('/') + 1);
                int most = i == 4 ? 7 : MAX[i];
                if (part.contains("/") && step.matches("\\d{1,9}") && Integer.parseInt(step) > most) {
                    return "its " + FIELDS.get(i) + " field's step " + step + " is out of range: " + RANGES.get(i)
                            + ", so a step is 1-" + most;
                }
            }
        }
        return null;
    }

    /**
     * For the first range of a 5-field expression that runs backwards, such as {@code 22-2} or {@code FRI-MON}, why
     * and the expression with it written as the two ranges cron reads ({@code 22-23,0-2}); else null: cron-utils
     * says "Invalid range! [22,2]", naming neither the field nor the fix. A range with a step, or with an end outside
     * its field, is left to cron-utils' own message.
     */
    private static @Nullable String backwardsRange(String expression) {
        String[] fields = expression.split("\\s+");
        if (fields.length != FIELDS.size()) {
            return null;
        }
        for (int i = 0; i < fields.length; i++) {
            String[] parts = fields[i].split(",", -1);
            for (int j = 0; j < parts.length; j++) {
                Matcher range = RANGE.matcher(parts[j]);
                if (!range.matches()) {
                    continue;
                }
                int start = fieldValue(i, range.group(1));
                int end = fieldValue(i, range.group(2));
                if (start < 0 || end < 0 || start <= end || start > MAX[i] || end < MIN[i]) {
                    continue;
                }
                boolean named = Character.isLetter(range.group(1).charAt(0));
                parts[j] = span(i, start, MAX[i], named) + "," + span(i, MIN[i], end, named);
                fields[i] = String.join(",", parts);
                // the rewrite cut as the expression is (shown): a long list in another field went into it whole
                return "its " + FIELDS.get(i) + " field's range '" + range.group() + "' runs backwards, and cron's "
                        + "ranges do not wrap around); write " + shown(String.join(" ", fields));
            }
        }
        return null;
    }

    /** A field's value written as a number or, in the month and day-of-week fields, a name; -1 when neither. */
    private static int fieldValue(int field, String text) {
        if (text.matches("\\d{1,2}")) {
            return Integer.parseInt(text);
        }
        List<String> names = field == 3 ? MONTHS : field == 4 ? DAYS : List.of();
        int index = names.indexOf(text.toUpperCase(Locale.ROOT));
        return index < 0 ? -1 : index + MIN[field];
    }

    private static String span(int field, int from, int to, boolean named) {
        if (named && field == 4 && from == 0 && to > 0) {
            // SUN,MON-TUE, which every cron reads alike (cron-utils reads a range from SUN only as sundayAsZero writes it).
            return DAYS.getFirst() + "," + span(field, 1, to, true);
        }
        String first = named ? (field == 3 ? MONTHS : DAYS).get(from - MIN[field]) : String.valueOf(from);
        String last = named ? (field == 3 ? MONTHS : DAYS).get(to - MIN[field]) : String.valueOf(to);
        return from == to ? first : first + "-" + last;
    }

    private boolean isCron(String expression) {
        try {
            cron.parse(sundayAsZero(expression)).validate();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isZone(String text) {
        try {
            ZoneId.of(text);
            return !text.matches("[+-]?\\d+");
        } catch (DateTimeException e) {
            return false;
        }
    }

    /**
     * " (April has no 31st)" when the expression's first day of the month is one none of its months
     * has, the usual reason a cron expression never fires; empty when that is not the reason.
     */
    private String missingDay(String expression) {
        String[] fields = expression.split("\\s+");
        ExecutionTime days = ExecutionTime.forCron(cron.parse("0 0 " + fields[2] + " * *"));
        ExecutionTime months = ExecutionTime.forCron(cron.parse("0 0 1 " + fields[3] + " *"));
        int firstDay = IntStream.rangeClosed(1, 31)
                .filter(day -> days.isMatch(LocalDate.of(2000, 1, day).atStartOfDay(ZoneOffset.UTC)))
                .findFirst().orElse(0);
        List<Month> named = Arrays.stream(Month.values())
                .filter(month -> months.isMatch(LocalDate.of(2000, month, 1).atStartOfDay(ZoneOffset.UTC)))
                .toList();
        if (firstDay == 0 || named.isEmpty() || named.stream().anyMatch(month -> month.maxLength() >= firstDay)) {
            return "";
        }
        List<String> names = named.stream().map(month -> month.getDisplayName(TextStyle.FULL, Locale.ENGLISH)).toList();
        String list = names.size() == 1 ? names.getFirst()
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
        // No month has 29 days or fewer, so the day is the 30th or the 31st.
        return " (" + list + (names.size() == 1 ? " has" : " have") + " no " + firstDay
                + (firstDay == 31 ? "st" : "th") + ")";
    }

    private static Schedule interval(String name, String text) {
        Matcher m = INTERVAL.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(prefix(name) + "schedule " + shown(text) + " is not a valid interval; "
                    + "write 'every N unit' with a whole N ≥ 1 and a unit of second, minute, hour, day or week "
                    + "(plural allowed), such as 'every 15 minutes'");
        }
        BigInteger count;
        try {
            // Read whole however long, so that a count too large for a long is reported as too long.
            count = new BigInteger(m.group(1));
        } catch (NumberFormatException notWhole) {
            // Without BigInteger's exception as the cause: its message repeats the count raw ("For input string: …").
            throw new IllegalArgumentException(prefix(name) + "interval " + shown(text) + " must count whole units, "
                    + "got " + shown(m.group(1)) + "; write e.g. 'every 15 minutes'");
        }
        if (count.signum() < 1) {
            throw new IllegalArgumentException(prefix(name) + "interval " + shown(text) + " must be at least 1 unit, "
                    + "got " + count + "; write e.g. 'every 1 minute'");
        }
        String unitText = m.group(2).toLowerCase(Locale.ROOT);
        ChronoUnit unit = UNITS.get(unitText.endsWith("s") ? unitText.substring(0, unitText.length() - 1) : unitText);
        if (unit == null) {
            throw new IllegalArgumentException(prefix(name) + "interval " + shown(text) + " has unknown unit "
                    + shown(m.group(2)) + "; use second, minute, hour, day or week (plural allowed)");
        }
        long most = MAX_INTERVAL.getSeconds() / unit.getDuration().getSeconds();
        if (count.compareTo(BigInteger.valueOf(most)) > 0) {
            throw new IllegalArgumentException(prefix(name) + "interval " + shown(text) + " is longer than 366 days, "
                    + "the longest interval (every " + most + " " + unit.name().toLowerCase(Locale.ROOT) + " at most); "
                    + "use a cron expression such as '0 0 1 1 *' for yearly runs");
        }
        return new IntervalSchedule(unit.getDuration().multipliedBy(count.longValueExact()));
    }

    private static String prefix(String name) {
        return RecurringJobs.named(name) + ": ";
    }

    /**
     * A schedule, or a part of it, as a refusal repeats it: quoted, its control characters escaped (a newline in it
     * started a line of its own in the message and the log), one longer than the scheduler holds cut with its length.
     */
    private static String shown(String text) {
        return UntrustedText.singleQuote(text, JdbcJobScheduler.MAX_TEXT);
    }
}
