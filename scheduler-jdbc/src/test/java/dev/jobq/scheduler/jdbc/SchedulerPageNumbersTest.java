package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The numbers docs/scheduler.md gives for defaults, bounds and the fire loop's timings, each read from the
 * page by the words around it and held against the constant the code uses, so that neither drifts alone.
 * A phrase that matches nowhere fails too: a rewording must keep its number checked.
 */
class SchedulerPageNumbersTest {

    static String page() throws IOException {
        return ProjectDocs.read("docs/scheduler.md").replaceAll("\\s+", " ");
    }

    /** A duration as the page writes it: {@code 60 s}, {@code 250 ms}, {@code 5 minutes}, {@code 7 days}, {@code 5 min 10 s}. */
    static Duration duration(String text) {
        Duration total = Duration.ZERO;
        Matcher part = Pattern.compile("(\\d+) ?(ms|s|min|minutes?|seconds?|hours?|h|days?)\\b").matcher(text);
        boolean any = false;
        while (part.find()) {
            any = true;
            long n = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s", "second", "seconds" -> Duration.ofSeconds(n);
                case "min", "minute", "minutes" -> Duration.ofMinutes(n);
                case "h", "hour", "hours" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        assertThat(any).as("a duration in '%s'", text).isTrue();
        return total;
    }

    record Claim(String what, String regex, Object expected) {
        @Override
        public String toString() {
            return what;
        }
    }

    static final String D = "(\\d+ ?(?:ms|s|min|minutes?|seconds?|hours?|days?)(?: \\d+ ?s)?)";

    static List<Claim> claims() {
        return List.of(
                new Claim("pollInterval's default", "at most `pollInterval` \\(default " + D + "\\)",
                        JdbcSchedulerFactory.DEFAULT_POLL_INTERVAL),
                new Claim("poolSize's default", "a pool of `poolSize` connections \\(default (\\d+)\\)",
                        JdbcSchedulerFactory.DEFAULT_POOL_SIZE),
                new Claim("batchSize's default", "up to `batchSize` \\((\\d+)\\)", JdbcSchedulerFactory.DEFAULT_BATCH_SIZE),
                new Claim("retention's default", "`retention` \\(default " + D + "\\)", JdbcSchedulerFactory.DEFAULT_RETENTION),
                new Claim("misfireThreshold's default", "`misfireThreshold` \\(default " + D + "\\)",
                        JdbcSchedulerFactory.DEFAULT_MISFIRE_THRESHOLD),
                new Claim("fireAllLimit's default", "at most `fireAllLimit` \\(default (\\d+)\\)",
                        JdbcSchedulerFactory.DEFAULT_FIRE_ALL_LIMIT),
                new Claim("claimTimeout's default", "to `claimTimeout` \\(" + D + " by default\\)",
                        JdbcSchedulerFactory.DEFAULT_CLAIM_TIMEOUT),
                new Claim("lockTimeout's default", "longer than `lockTimeout` \\(" + D + " by default",
                        JdbcSchedulerFactory.DEFAULT_LOCK_TIMEOUT),
                new Claim("connectionTimeout's default", "`connectionTimeout` \\(\\*\\*" + D + "\\*\\* by default",
                        JdbcSchedulerFactory.DEFAULT_CONNECTION_TIMEOUT),
                new Claim("the socket timeout of a silent server", "`claimTimeout` \\+ `lockTimeout` \\(" + D + " by default",
                        JdbcSchedulerFactory.DEFAULT_CLAIM_TIMEOUT.plus(JdbcSchedulerFactory.DEFAULT_LOCK_TIMEOUT)),
                new Claim("the recheck of rows held elsewhere", "this one looks again after " + D + ", in case that one died",
                        FiringLoop.HELD_ELSEWHERE_RECHECK),
                new Claim("how early a due job is claimed", "\\(claimed up to " + D + " early",
                        FiringLoop.CLAIM_AHEAD),
                new Claim("how early a due job is claimed, on a clock step", "\\(up to " + D + " before its instant",
                        FiringLoop.CLAIM_AHEAD),
                new Claim("a helper thread's idle time", "A helper idle for " + D + " ends", HandOff.HELPER_IDLE),
                new Claim("close()'s wait before it interrupts", "\\(after " + D + " it interrupts them",
                        JdbcJobScheduler.CLOSE_TIMEOUT),
                new Claim("the first pause after a failed hand-off", "tries again after " + D + ", \\d+ s, \\d+ s …",
                        HandOff.FIRST_RETRY),
                new Claim("the longest pause after a failed hand-off", "\\d+ s, \\d+ s … up to " + D + ", with a WARN",
                        HandOff.MAX_RETRY),
                new Claim("the pause of a rejected job", "tried again every " + D + " rather than at the growing",
                        HandOff.MAX_RETRY),
                new Claim("the pause of a job whose zone is unknown", "looks again every " + D
                        + " or once the row changes; disabling and deleting", HandOff.MAX_RETRY),
                new Claim("the most one-time jobs left alone unread", "It leaves at most (\\d+) such jobs alone",
                        UnreadableScheduledJobs.MAX_LEFT_ALONE),
                new Claim("the pause of a one-time job past those", "a job it cannot read is pushed on by " + D,
                        HandOff.MAX_RETRY),
                new Claim("the purge's interval", "at start and then at most (hourly)", FiringLoop.MAX_PURGE_INTERVAL),
                new Claim("the ids of hand-offs whose commit was lost", "\\(up to (\\d+,\\d+) ids\\)", HandedOnUnmarked.LIMIT),
                new Claim("the repeat of the outage WARN line", "then a WARN line every " + D + " while passes keep failing",
                        PassFailures.REPEAT),
                new Claim("how often a claim starts from the start", "at least once a (second) a claim starts from the start",
                        ClaimCursor.RESTART_EVERY),
                new Claim("the longest interval", "at most " + D + "\\): fixed durations", ScheduleParser.MAX_INTERVAL),
                new Claim("the longest interval, rejected", "or one longer than " + D + "; a name", ScheduleParser.MAX_INTERVAL),
                new Claim("the text a column holds", "longer than the (\\d+) characters the table holds",
                        JdbcJobScheduler.MAX_TEXT),
                new Claim("the clock skew warned of", "when they are more than " + D + " apart", ClockCheck.TOLERANCE),
                new Claim("how often the skew is measured", "and then at most once a (minute),", ClockCheck.EVERY),
                new Claim("how often a skew is warned of again", "again every (hour) while they stay apart", ClockCheck.REPEAT),
                new Claim("fireThreads on PostgreSQL", "On PostgreSQL the default is (two) threads",
                        JdbcSettings.POSTGRES_FIRE_THREADS),
                new Claim("the earliest instant", "A job can be due from `([^`]+)` to", DueRange.EARLIEST),
                new Claim("the latest instant", "A job can be due from `[^`]+` to `([^`]+)`", DueRange.LATEST));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("claims")
    void theNumberThePageGivesIsTheCodes(Claim claim) throws IOException {
        Matcher found = Pattern.compile(claim.regex()).matcher(page());
        List<String> values = new ArrayList<>();
        while (found.find()) {
            values.add(found.group(1));
        }
        assertThat(values).as("docs/scheduler.md gives %s in words matching /%s/", claim.what(), claim.regex())
                .isNotEmpty();
        for (String value : values) {
            Object read = switch (claim.expected()) {
                case Duration d -> switch (value) {
                    case "hourly", "hour" -> Duration.ofHours(1);
                    case "minute" -> Duration.ofMinutes(1);
                    case "second" -> Duration.ofSeconds(1);
                    default -> duration(value);
                };
                case Integer i -> value.equals("two") ? 2 : Integer.parseInt(value.replace(",", ""));
                case Instant t -> Instant.parse(value);
                default -> throw new AssertionError(claim.expected());
            };
            assertThat(read).as("docs/scheduler.md's %s ('%s')", claim.what(), value).isEqualTo(claim.expected());
        }
    }

    @Test
    void eachNicknameOfTheSchedulesTableFiresAsTheExpressionTheTableGivesIt() throws IOException {
        Matcher row = Pattern.compile("\\| ((?:\\(?`@\\w+`\\)? ?)+) \\| ([^|]+) \\|").matcher(page());
        assertThat(row.find()).as("docs/scheduler.md's row of nicknames").isTrue();
        List<String> groups = new ArrayList<>();
        Matcher group = Pattern.compile("`(@\\w+)`( \\(`(@\\w+)`\\))?").matcher(row.group(1));
        while (group.find()) {
            groups.add(group.group(1) + (group.group(3) == null ? "" : " " + group.group(3)));
        }
        List<String> expressions = new ArrayList<>();
        Matcher expression = Pattern.compile("`([^`]+)`").matcher(row.group(2));
        while (expression.find()) {
            expressions.add(expression.group(1));
        }
        assertThat(groups).as("a nickname (and its other name) for each expression").hasSameSizeAs(expressions)
                .hasSize(5);
        var parser = new ScheduleParser();
        Instant from = Instant.parse("2026-01-01T00:30:00Z");
        for (int i = 0; i < groups.size(); i++) {
            Schedule expected = parser.parse("table", expressions.get(i), ZoneOffset.UTC);
            for (String nickname : groups.get(i).split(" ")) {
                Schedule named = parser.parse("table", nickname, ZoneOffset.UTC);
                Instant a = named.first(from);
                Instant b = expected.first(from);
                for (int n = 0; n < 5; n++, a = named.next(a), b = expected.next(b)) {
                    assertThat(a).as("%s against %s, occurrence %s", nickname, expressions.get(i), n).isEqualTo(b);
                }
            }
        }
    }

    @Test
    void theRejectionThePageQuotesIsTheOneARegistrationGets() throws IOException {
        Matcher quoted = Pattern.compile("\\*\\*Rejected at registration\\*\\*, [^:]+: `([^`]+)…`").matcher(page());
        assertThat(quoted.find()).as("docs/scheduler.md quotes a rejected cron expression").isTrue();
        String message = quoted.group(1);
        Matcher named = Pattern.compile("recurring job '([^']+)': schedule '([^']+)'").matcher(message);
        assertThat(named.find()).as(message).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ScheduleParser().parse(named.group(1),
                        named.group(2), ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    @Test
    void theH2VersionThePageSaysJobqIsBuiltWithIsTheOneOnItsClasspath() throws IOException {
        String built = org.h2.engine.Constants.VERSION_MAJOR + "." + org.h2.engine.Constants.VERSION_MINOR + "."
                + org.h2.engine.Constants.BUILD_ID;
        Matcher said = Pattern.compile("jobq is built with H2 (\\d+\\.\\d+\\.\\d+)").matcher(page());
        assertThat(said.find()).as("docs/scheduler.md names the H2 version jobq is built with").isTrue();
        assertThat(said.group(1)).as("the H2 version docs/scheduler.md names").isEqualTo(built);
        Matcher pin = Pattern.compile("pin (\\d+\\.\\d+\\.\\d+)").matcher(page());
        assertThat(pin.find()).as("docs/scheduler.md says which H2 to pin").isTrue();
        assertThat(pin.group(1)).as("the H2 version docs/scheduler.md says to pin").isEqualTo(built);
    }
}
