package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.RecurringJob;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("ScheduleParser: cron, nicknames and intervals, and every error message")
class ScheduleParserTest {

    private static final Instant MONDAY_NOON = Instant.parse("2026-03-02T12:00:00Z");
    private final ScheduleParser parser = new ScheduleParser();

    private Schedule parse(String text) {
        return parser.parse("job", text, ZoneOffset.UTC);
    }

    @Nested
    class Accepts {

        @ParameterizedTest
        @CsvSource({
                "every 1 second, PT1S",
                "every 30 seconds, PT30S",
                "every 15 minutes, PT15M",
                "Every 1 Hour, PT1H",
                "every 2 days, PT48H",
                "every 1 week, PT168H",
                "every 1 minute, PT1M",
                "every 2 hours, PT2H",
                "every 1 day, PT24H",
                "every 2 weeks, PT336H",
                "'  every   3   minutes  ', PT3M"})
        void intervals(String text, String step) {
            assertThat(parse(text)).isEqualTo(new IntervalSchedule(Duration.parse(step)));
        }

        @ParameterizedTest
        @CsvSource({
                "@hourly, 2026-03-02T13:00:00Z",
                "@daily, 2026-03-03T00:00:00Z",
                "@midnight, 2026-03-03T00:00:00Z",
                "@weekly, 2026-03-08T00:00:00Z",
                "@monthly, 2026-04-01T00:00:00Z",
                "@yearly, 2027-01-01T00:00:00Z",
                "@annually, 2027-01-01T00:00:00Z",
                "*/15 * * * *, 2026-03-02T12:15:00Z",
                "0 9 * * 1-5, 2026-03-03T09:00:00Z",
                "30 12 * * MON, 2026-03-02T12:30:00Z"})
        void cronExpressionsAndNicknames(String text, String next) {
            assertThat(parse(text).first(MONDAY_NOON)).isEqualTo(Instant.parse(next));
        }

        @Test
        void aCronMatchIsNeverItsOwnSuccessor() {
            Schedule daily = parse("0 12 * * *");

            assertThat(daily.next(MONDAY_NOON)).isEqualTo(MONDAY_NOON.plus(Duration.ofDays(1)));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "0 9 * * SUN-THU   | 2026-03-03, 2026-03-04, 2026-03-05, 2026-03-08, 2026-03-09, 2026-03-10",
                "0 9 * * sun-tue   | 2026-03-03, 2026-03-08, 2026-03-09, 2026-03-10, 2026-03-15, 2026-03-16",
                "0 9 * * SUN-SAT   | 2026-03-03, 2026-03-04, 2026-03-05, 2026-03-06, 2026-03-07, 2026-03-08",
                "0 9 * * SUN-SAT/2 | 2026-03-03, 2026-03-05, 2026-03-07, 2026-03-08, 2026-03-10, 2026-03-12",
                "0 9 * * SUN-SUN   | 2026-03-08, 2026-03-15, 2026-03-22, 2026-03-29, 2026-04-05, 2026-04-12",
                "0 9 * * MON,SUN-MON | 2026-03-08, 2026-03-09, 2026-03-15, 2026-03-16, 2026-03-22, 2026-03-23"})
        void aDayOfWeekRangeFromSundayRunsFromSundayAsInCron(String expression, String days) {
            // Sunday-to-Thursday weeks (Israel, most Gulf states); cron-utils read SUN in a range as 7, so SUN-THU was
            // refused as the backwards range [7,4].
            Schedule schedule = parse(expression);
            List<Instant> runs = new ArrayList<>();
            Instant at = MONDAY_NOON;
            for (int i = 0; i < 6; i++) {
                at = schedule.next(at);
                runs.add(at);
            }

            assertThat(runs).containsExactlyElementsOf(List.of(days.split(",\\s*")).stream()
                    .map(day -> Instant.parse(day + "T09:00:00Z")).toList());
        }

        @Test
        void aRestrictedDayOfMonthAndDayOfWeekFireOnEitherAsInCron() {
            // cron(8): when both day fields are restricted, a day matching either fires. Quartz refuses the
            // pair and some schedulers read it as "both"; scheduler.md's table says which jobq does.
            Schedule firstOrMonday = parse("0 0 1 * MON");
            List<Instant> runs = new ArrayList<>();
            Instant at = Instant.parse("2026-12-01T00:00:00Z");
            for (int i = 0; i < 6; i++) {
                at = firstOrMonday.next(at);
                runs.add(at);
            }

            assertThat(runs).containsExactly(
                    Instant.parse("2026-12-07T00:00:00Z"), Instant.parse("2026-12-14T00:00:00Z"),
                    Instant.parse("2026-12-21T00:00:00Z"), Instant.parse("2026-12-28T00:00:00Z"),
                    Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2027-01-04T00:00:00Z"));
        }

        @Test
        void aDayFieldThatStartsWithAStarIsNotRestrictedAsInCron() {
            // cron(8) reads a day field that starts with '*' (*/2 as well as *) as unrestricted: the day must then
            // match both fields. Before, */2 counted as restricted, so this ran on every odd day and every Monday.
            Schedule oddMondays = parse("0 0 */2 * MON");
            List<Instant> runs = new ArrayList<>();
            Instant at = Instant.parse("2026-12-01T00:00:00Z");
            for (int i = 0; i < 6; i++) {
                at = oddMondays.next(at);
                runs.add(at);
            }

            assertThat(runs).containsExactly(
                    Instant.parse("2026-12-07T00:00:00Z"), Instant.parse("2026-12-21T00:00:00Z"),
                    Instant.parse("2027-01-11T00:00:00Z"), Instant.parse("2027-01-25T00:00:00Z"),
                    Instant.parse("2027-02-01T00:00:00Z"), Instant.parse("2027-02-15T00:00:00Z"));
            assertThat(parse("0 0 1 * */2").next(Instant.parse("2026-12-01T00:00:00Z")))
                    .as("the 1st of a month that falls on a Sunday, Tuesday, Thursday or Saturday")
                    .isEqualTo(Instant.parse("2027-04-01T00:00:00Z"));
        }

        @Test
        void intervalsStayOnTheGridOfAnEarlierOccurrence() {
            Schedule every10 = parse("every 10 minutes");
            Instant grid = Instant.parse("2026-03-02T12:00:07Z");

            assertThat(every10.first(Instant.parse("2026-03-02T12:00:07.900Z"))).isEqualTo(grid.plusSeconds(600));
            assertThat(every10.nextAfter(grid, grid.plusSeconds(3_601))).isEqualTo(grid.plusSeconds(4_200));
            assertThat(every10.nextAfter(grid, grid.plusSeconds(600))).isEqualTo(grid.plusSeconds(1_200));
        }

        @Test
        void intervalsKeepTheirGridAcrossCenturies() {
            // More than the 292 years a long counts in nanoseconds: a clock set right after years wrong.
            Schedule everySecond = parse("every 1 second");
            Schedule every10 = parse("every 10 minutes");
            Instant grid = Instant.parse("2026-03-02T12:00:07Z");

            assertThat(everySecond.nextAfter(grid, Instant.parse("2400-01-01T00:00:00.5Z")))
                    .isEqualTo(Instant.parse("2400-01-01T00:00:01Z"));
            assertThat(every10.nextAfter(grid, Instant.parse("9999-12-31T23:00:00Z")))
                    .isEqualTo(Instant.parse("9999-12-31T23:00:07Z"));
            assertThat(every10.nextAfter(Instant.parse("9999-12-31T23:00:07Z"), grid.minusNanos(1))).isEqualTo(grid);
        }
    }

    @Nested
    class Rejects {

        @Test
        void aCronExpressionWithTooFewFields() {
            assertThatThrownBy(() -> parse("0 9 * *")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'job': schedule '0 9 * *' is not a valid cron expression (Cron "
                            + "expression contains 4 parts but we expect one of [5]); write 5 fields 'minute hour "
                            + "day-of-month month day-of-week' such as '0 9 * * *', a nickname (@hourly, @daily, "
                            + "@weekly, @monthly, @yearly), or an interval such as 'every 15 minutes'");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "0 9 * * * America/New_York | 0 9 * * * | America/New_York",
                "CRON_TZ=Europe/Paris 30 6 * * 1-5 | 30 6 * * 1-5 | Europe/Paris"})
        void aTimezoneWrittenIntoTheSchedule(String text, String cron, String zone) {
            assertThatThrownBy(() -> parse(text)).hasMessageEndingWith("); the timezone does not go in the schedule: "
                    + "write '" + cron + "' and set the job's timezone to '" + zone + "' (RecurringJob.Builder.timezone, "
                    + "or --timezone of jobq recurring add)");
        }

        @Test
        void aSecondsFieldFirstAsInQuartzSpringAndJobRunr() {
            assertThatThrownBy(() -> parse("0 */5 * * * *")).hasMessage("recurring job 'job': schedule '0 */5 * * * *' "
                    + "is not a valid cron expression (Cron expression contains 6 parts but we expect one of [5]); "
                    + "jobq's cron has no seconds field, which Quartz, Spring and JobRunr put first: write "
                    + "'*/5 * * * *', or for runs less than a minute apart an interval such as 'every 30 seconds'");
            assertThatThrownBy(() -> parse("0 0 9 ? * MON-FRI *")).hasMessageContaining("write '0 9 * * MON-FRI', or");
            assertThatThrownBy(() -> parse("0 0 9 ? * SUN-THU")).hasMessageContaining("write '0 9 * * SUN-THU', or");
            assertThatThrownBy(() -> parse("0 0 9 ? * 2")).hasMessageContaining("write '0 9 * * 2' (numbered days of "
                    + "the week differ between systems, Quartz's 1 being Sunday and cron's 1 Monday: names such as "
                    + "MON-FRI read the same everywhere), or");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "0 0 9 * * ? 2027            | write '0 9 * * *', or for runs less than a minute apart an interval "
                        + "such as 'every 30 seconds' | once 2027 begins and delete it (deleteRecurring, or jobq "
                        + "recurring delete) once 2027 is over",
                "0 30 6 ? * MON 2026-2028    | write '30 6 * * MON', or for runs less than a minute apart an "
                        + "interval such as 'every 30 seconds' | once 2026 begins and delete it (deleteRecurring, or "
                        + "jobq recurring delete) once 2028 is over",
                "0 0 9 ? * MON-FRI 2027-2030 | write '0 9 * * MON-FRI', or for runs less than a minute apart an "
                        + "interval such as 'every 30 seconds' | once 2027 begins and delete it (deleteRecurring, or "
                        + "jobq recurring delete) once 2030 is over",
                // the advice is an interval, not five fields: it fires every year too
                "*/15 * * * * ? 2027         | for a run every 15 seconds write the interval 'every 15 seconds' (its "
                        + "runs counted from the job's registration, not from second 0) | once 2027 begins and delete "
                        + "it (deleteRecurring, or jobq recurring delete) once 2027 is over",
                // years apart: deleted once the last is over, it would fire in the years between
                "0 0 9 * * ? 2026,2028       | write '0 9 * * *', or for runs less than a minute apart an interval "
                        + "such as 'every 30 seconds' | as each year of '2026,2028' begins and delete it "
                        + "(deleteRecurring, or jobq recurring delete) as that year ends",
                "0 0 9 * * ? 2026/2          | write '0 9 * * *', or for runs less than a minute apart an interval "
                        + "such as 'every 30 seconds' | as each year of '2026/2' begins and delete it "
                        + "(deleteRecurring, or jobq recurring delete) as that year ends"})
        void aSevenFieldCronWithAYearIsToldJobqHasNoYearField(String expression, String advice, String when) {
            // it was told only to delete the job once the years were over: registered in 2026, what it was told to
            // write fired from the next day on, a year early, and in 2027 between 2026 and 2028
            assertThatThrownBy(() -> parse(expression)).hasMessageEndingWith("); jobq's cron has no seconds field, "
                    + "which Quartz, Spring and JobRunr put first: " + advice + "; nor a year field, Quartz's seventh: "
                    + "the schedule fires in every year from the job's registration on, so register the job " + when);
        }

        @ParameterizedTest
        @ValueSource(strings = {"5", "1-", "-2027", "2027,", "20270"})
        void aSevenFieldCronWhoseSeventhFieldNamesNoYearIsNotToldToRegisterTheJobInIt(String years) {
            // '5' was told "register the job as each year of '5' begins", a year no one can wait for
            assertThatThrownBy(() -> parse("0 0 9 * * ? " + years)).hasMessageEndingWith("; jobq's cron has no seconds "
                    + "field, which Quartz, Spring and JobRunr put first: write '0 9 * * *', or for runs less than a "
                    + "minute apart an interval such as 'every 30 seconds'; nor a year field, Quartz's seventh, whose '"
                    + years + "' names no year either (a year is one of 1970 to 2099, the years Quartz documents, a "
                    + "range from low to high: 2027, 2027-2030, 2026,2028, 2026/2): the schedule fires in every year "
                    + "from the job's registration on");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0000", "1969", "2100", "2030-2027", "2100/2", "1900/200", "2027,2030-2027"})
        void aSevenFieldCronWhoseYearsQuartzRefusesIsNotToldToRegisterTheJobInThem(String years) {
            // '1969' was told "register the job once 1969 begins", '2030-2027' "as each year of '2030-2027' begins":
            // Quartz documents years from 1970 to 2099 (2.5.2 fires up to a century ahead: 2100 too), a range from
            // low to high; it refuses '2030-2027', and its trigger never fires in '1969' or '0000'
            assertThatThrownBy(() -> parse("0 0 9 * * ? " + years)).hasMessageEndingWith("; nor a year field, Quartz's "
                    + "seventh, whose '" + years + "' names no year either (a year is one of 1970 to 2099, the years "
                    + "Quartz documents, a range from low to high: 2027, 2027-2030, 2026,2028, 2026/2): the schedule "
                    + "fires in every year from the job's registration on");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "2027,1969 | once 2027 begins and delete it (deleteRecurring, or jobq recurring delete) once 2027 is "
                        + "over, leaving out what '1969' names outside 1970 to 2099, the years Quartz documents",
                "1969-2027 | once 1970 begins and delete it (deleteRecurring, or jobq recurring delete) once 2027 is "
                        + "over, leaving out what '1969-2027' names outside 1970 to 2099, the years Quartz documents",
                "2027-2100 | once 2027 begins and delete it (deleteRecurring, or jobq recurring delete) once 2099 is "
                        + "over, leaving out what '2027-2100' names outside 1970 to 2099, the years Quartz documents",
                "1969/2    | as each year of '1969/2' begins and delete it (deleteRecurring, or jobq recurring delete) "
                        + "as that year ends, leaving out what '1969/2' names outside 1970 to 2099, the years Quartz "
                        + "documents",
                "1960/10   | as each year of '1960/10' begins and delete it (deleteRecurring, or jobq recurring "
                        + "delete) as that year ends, leaving out what '1960/10' names outside 1970 to 2099, the years "
                        + "Quartz documents",
                "02027     | once 2027 begins and delete it (deleteRecurring, or jobq recurring delete) once 2027 "
                        + "is over",
                // Quartz fires a step of 0 in its first year alone
                "2027/0    | once 2027 begins and delete it (deleteRecurring, or jobq recurring delete) once 2027 "
                        + "is over",
                // a range's step of 0 too: '2027-2030/0' fires in 2027 alone, not in each year to 2030, and
                // '2030-2027/0' in 2030 (Quartz refuses a range from high to low with any other step)
                "2027-2030/0 | once 2027 begins and delete it (deleteRecurring, or jobq recurring delete) once "
                        + "2027 is over",
                "2030-2027/0 | once 2030 begins and delete it (deleteRecurring, or jobq recurring delete) once "
                        + "2030 is over"})
        void aSevenFieldCronWithSomeYearsQuartzFiresIsToldToRegisterTheJobInThose(String years, String when) {
            // '2027,1969' and '1969-2027' were told they name no year, '1969/2' and '1960/10' too, and '02027': Quartz
            // fires 2027, the years up to 2027, odd years, every tenth year from 2030, and reads '02027' as 2027
            assertThatThrownBy(() -> parse("0 0 9 * * ? " + years)).hasMessageEndingWith("; nor a year field, Quartz's "
                    + "seventh: the schedule fires in every year from the job's registration on, so register the job "
                    + when);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "*/30 * * * * *     | : for a run every 30 seconds write the interval 'every 30 seconds' (its runs "
                        + "counted from the job's registration, not from second 0)",
                "0/15 * * ? * *     | : for a run every 15 seconds write the interval 'every 15 seconds' (its runs "
                        + "counted from the job's registration, not from second 0)",
                "* * * * * ? *      | : for a run every 1 second write the interval 'every 1 second' (its runs "
                        + "counted from the job's registration, not from second 0)",
                "0,30 * * * * *     | : for a run every 30 seconds write the interval 'every 30 seconds' (its runs "
                        + "counted from the job's registration, not from second 0)",
                "45,0,15,30 * * ? * * | : for a run every 15 seconds write the interval 'every 15 seconds' (its runs "
                        + "counted from the job's registration, not from second 0)",
                "0,20 * * * * *     | : write '* * * * *' to fire in the same minutes at second 0 (the seconds '0,20' "
                        + "are lost), or for runs less than a minute apart an interval such as 'every 30 seconds'",
                "*/7 * * * * *      | : write '* * * * *' to fire in the same minutes at second 0 (the seconds '*/7' "
                        + "are lost), or for runs less than a minute apart an interval such as 'every 30 seconds'",
                "15 */5 * * * *     | : write '*/5 * * * *' to fire in the same minutes at second 0 (the seconds '15' "
                        + "are lost), or for runs less than a minute apart an interval such as 'every 30 seconds'",
                "30 0 9 * * *       | : write '0 9 * * *' to fire in the same minutes at second 0 (the seconds '30' "
                        + "are lost), or for runs less than a minute apart an interval such as 'every 30 seconds'",
                "*/30 0 9 * * *     | : write '0 9 * * *' to fire in the same minutes at second 0 (the seconds '*/30' "
                        + "are lost), or for runs less than a minute apart an interval such as 'every 30 seconds'",
                "00 0 9 * * MON-FRI | : write '0 9 * * MON-FRI', or for runs less than a minute apart an interval "
                        + "such as 'every 30 seconds'",
                // evenly through the minute from another second than 0: an interval fits them as well as '*/30'
                "5/30 * * * * *     | : for a run every 30 seconds write the interval 'every 30 seconds' (its runs "
                        + "counted from the job's registration, not from second 5)",
                "10,40 * * * * *    | : for a run every 30 seconds write the interval 'every 30 seconds' (its runs "
                        + "counted from the job's registration, not from second 10)",
                "40/30 * * * * *    | : write '* * * * *' to fire in the same minutes at second 0 (the seconds '40/30' "
                        + "are lost), or for runs less than a minute apart an interval such as 'every 30 seconds'",
                // a step of a minute or more from second 0 fires at second 0 alone: nothing is lost
                "*/60 * * * * *     | : write '* * * * *', or for runs less than a minute apart an interval such as "
                        + "'every 30 seconds'",
                // a step of 1 fires every minute as '*' does
                "*/30 */1 * * * *   | : for a run every 30 seconds write the interval 'every 30 seconds' (its runs "
                        + "counted from the job's registration, not from second 0)"})
        void aSecondsFieldOtherThanZeroIsNotAdvisedAsEveryMinute(String expression, String fix) {
            assertThatThrownBy(() -> parse(expression)).hasMessageEndingWith("); jobq's cron has no seconds field, "
                    + "which Quartz, Spring and JobRunr put first" + fix);
        }

        @Test
        void aCronFieldOutOfRange() {
            assertThatThrownBy(() -> parse("61 9 * * *"))
                    .hasMessageStartingWith("recurring job 'job': schedule '61 9 * * *' is not a valid cron expression (")
                    .hasMessageContaining("61")
                    .hasNoCause(); // cron-utils' exception, which repeats the expression raw, is not chained
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "61 9 * * *     | minute field's value 61 is out of range: minutes are 0-59",
                "0 24 * * *     | hour field's value 24 is out of range: hours are 0-23",
                "0 9 0 * *      | day-of-month field's value 0 is out of range: days of the month are 1-31",
                "0 9 1 1-13 *   | month field's value 13 is out of range: months are 1-12 (or JAN-DEC)",
                "0 9 * * 1,8    | day-of-week field's value 8 is out of range: days of the week are 0-7, 0 and 7 "
                        + "being Sunday (or SUN-SAT)"})
        void aValueOutOfItsFieldsRangeNamesTheField(String expression, String why) {
            // cron-utils says "Value 61 not in range [0, 59]", naming no field.
            assertThatThrownBy(() -> parse(expression)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'job': schedule '" + expression + "' is not a valid cron expression "
                            + "(its " + why + "); write a value in that range");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "*/60 * * * *   | minute field's step 60 is out of range: minutes are 0-59, so a step is 1-59",
                "0 */24 * * *   | hour field's step 24 is out of range: hours are 0-23, so a step is 1-23",
                "0 0 1-5/40 * * | day-of-month field's step 40 is out of range: days of the month are 1-31, so a "
                        + "step is 1-31",
                "0 9 * 2/13 *   | month field's step 13 is out of range: months are 1-12 (or JAN-DEC), so a step is "
                        + "1-12",
                "0 9 * * 1,*/8  | day-of-week field's step 8 is out of range: days of the week are 0-7, 0 and 7 being "
                        + "Sunday (or SUN-SAT), so a step is 1-7"})
        void aStepOutOfItsFieldsRangeNamesTheField(String expression, String why) {
            // cron-utils says "Period 24 not in range [0, 23]", naming no field, and the fix was the list of forms.
            assertThatThrownBy(() -> parse(expression)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'job': schedule '" + expression + "' is not a valid cron expression "
                            + "(its " + why + "); write a value in that range")
                    .hasNoCause(); // cron-utils' exception, which repeats the expression raw, is not chained
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "0 9 * MON *      | month field's 'MON' is not a month: months are 1-12 (or JAN-DEC)",
                "0 9 * * JAN      | day-of-week field's 'JAN' is not a day of the week: days of the week are 0-7, 0 "
                        + "and 7 being Sunday (or SUN-SAT)",
                "0 9 * * MONDAY   | day-of-week field's 'MONDAY' is not a day of the week: days of the week are 0-7, "
                        + "0 and 7 being Sunday (or SUN-SAT)",
                "0 9 * JAN,FOO *  | month field's 'FOO' is not a month: months are 1-12 (or JAN-DEC)",
                "0 9 MON * *      | day-of-month field's 'MON' is not a day of the month: days of the month are 1-31"})
        void aNameItsFieldDoesNotHaveNamesTheField(String expression, String why) {
            // cron-utils says "Invalid chars in expression! Expression: MON Invalid chars: MON", naming no field.
            assertThatThrownBy(() -> parse(expression)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'job': schedule '" + expression + "' is not a valid cron expression "
                            + "(its " + why + "); write a value in that range")
                    .hasNoCause(); // cron-utils' exception, which repeats the expression raw, is not chained
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "*/0 * * * *   | minute field '*/0'",
                "0 */0 * * *   | hour field '*/0'",
                "0 9 1-31/0 * *| day-of-month field '1-31/0'",
                "0 9 * * 1,0/00| day-of-week field '0/00'"})
        void aStepOfZeroIsNamedNotSaidToBeOutOfARangeItIsIn(String expression, String field) {
            // cron-utils says "Period 0 not in range [0, 59]", which 0 is.
            assertThatThrownBy(() -> parse(expression)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'job': schedule '" + expression + "' is not a valid cron expression "
                            + "(its " + field + " has a step of 0; a step is how many values apart the runs are, at "
                            + "least 1); write * for every value, or a step of 1 or more such as '*/5'");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "0 22-2 * * *    | hour field's range '22-2'          | 0 22-23,0-2 * * *",
                "50-10 * * * *   | minute field's range '50-10'       | 50-59,0-10 * * * *",
                "0 9 31-1 * *    | day-of-month field's range '31-1'  | 0 9 31,1 * *",
                "0 9 * NOV-FEB * | month field's range 'NOV-FEB'      | 0 9 * NOV-DEC,JAN-FEB *",
                "0 9 * * fri-mon | day-of-week field's range 'fri-mon' | 0 9 * * FRI-SAT,SUN,MON",
                "0 9 * * FRI-TUE | day-of-week field's range 'FRI-TUE' | 0 9 * * FRI-SAT,SUN,MON-TUE",
                "0 9 * * 1,6-0   | day-of-week field's range '6-0'    | 0 9 * * 1,6,0"})
        void aRangeThatRunsBackwardsIsNamedWithTheTwoRangesToWrite(String expression, String range, String fixed) {
            // cron-utils says "Invalid range! [22,2]", and the generic advice was to write 5 fields, which these are.
            assertThatThrownBy(() -> parse(expression)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'job': schedule '" + expression + "' is not a valid cron expression "
                            + "(its " + range + " runs backwards, and cron's ranges do not wrap around); write '"
                            + fixed + "'");
            assertThat(parse(fixed)).isInstanceOf(CronSchedule.class);
        }

        @Test
        void theRewriteOfALongExpressionWithARangeThatRunsBackwardsIsCutAsTheExpressionIs() {
            String minutes = "0" + ",0".repeat(5_000);
            String fixed = minutes + " 22-23,0-2 * * *";

            // the rewrite was repeated whole: 10,000 characters after the expression's own 255
            assertThatThrownBy(() -> parse(minutes + " 22-2 * * *")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith("(its hour field's range '22-2' runs backwards, and cron's ranges do not wrap "
                            + "around); write '" + fixed.substring(0, 255) + "…' (" + fixed.length() + " characters)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0 0 L * *", "0 9 LW * *", "0 9 L-3 * *", "0 9 15W * *", "0 9 * * 5L", "0 9 * * MON#2",
                "0 9 ? * MON", "0 9 1,L * *"})
        void aQuartzExtensionIsNamedWithWhatToWriteInstead(String expression) {
            assertThatThrownBy(() -> parse(expression)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("recurring job 'job': schedule '" + expression + "' is not a valid cron "
                            + "expression (")
                    .hasMessageEndingWith("or an interval such as 'every 15 minutes'; ?, L, W and # are Quartz "
                            + "extensions, not in 5-field UNIX cron: write * for ?, and for the last day of a month run "
                            + "on days 28-31 ('0 0 28-31 * *') and let the handler go on only when tomorrow is the 1st");
        }

        @Test
        void aMonthOrDayNameWithAnLOrAWIsNoQuartzExtension() {
            assertThatThrownBy(() -> parse("0 9 * JUL WED 1")).hasMessageEndingWith("'every 15 minutes'");
            assertThat(parse("0 9 * JUL WED")).isInstanceOf(CronSchedule.class);
        }

        @Test
        void aCronExpressionThatNeverFires() {
            assertThatThrownBy(() -> parse("0 0 30 2 *")).hasMessage("recurring job 'job': cron expression "
                    + "'0 0 30 2 *' never fires; check its day-of-month and month fields (February has no 30th)");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "0 0 31 4 *      | (April has no 31st)",
                "0 0 31 APR *    | (April has no 31st)",
                "0 0 31 4,6,9 *  | (April, June and September have no 31st)",
                "0 0 30-31 2 *   | (February has no 30th)",
                "0 0 31 2,11 *   | (February and November have no 31st)"})
        void aCronExpressionThatNeverFiresWithAnExampleFromItsOwnFields(String expression, String example) {
            assertThatThrownBy(() -> parse(expression)).hasMessage("recurring job 'job': cron expression '"
                    + expression + "' never fires; check its day-of-month and month fields " + example);
        }

        @Test
        void anUnknownNickname() {
            assertThatThrownBy(() -> parse("@often")).hasMessage("recurring job 'job': schedule '@often' is not a "
                    + "known nickname; use @hourly, @daily, @weekly, @monthly or @yearly (also @midnight, @annually)");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "@every 5m     | every 5 minutes",
                "@every 1h30m  | every 90 minutes",
                "@every 2h     | every 2 hours",
                "@every 1m0s   | every 1 minute",
                "@every 45s    | every 45 seconds",
                "@EVERY 1h     | every 1 hour"})
        void aGoStyleEveryIsToldTheIntervalToWrite(String text, String interval) {
            // robfig/cron (Go) and the schedulers built on it write intervals as '@every <Go duration>'.
            assertThatThrownBy(() -> parse(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'job': schedule '" + text + "' is not a known nickname; jobq writes an "
                            + "interval without the @ and with its unit in words: write '" + interval + "'");
        }

        @Test
        void aGoStyleEveryLongerThanTheLongestIntervalIsToldTheLimit() {
            // It was told "write 'every N second|minute|hour|day|week' with a whole N ≥ 1", so 'every 10000 hours'
            // was the next thing refused.
            assertThatThrownBy(() -> parse("@every 10000h")).hasMessage("recurring job 'job': schedule '@every 10000h' "
                    + "is not a known nickname; jobq writes an interval without the @ and with its unit in words: "
                    + "write one of at most 366 days ('every 366 days'); for runs further apart use a cron "
                    + "expression such as '0 0 1 1 *'");
        }

        @Test
        void aGoStyleEveryWithADurationJobqHasNoIntervalFor() {
            assertThatThrownBy(() -> parse("@every 1.5h")).hasMessage("recurring job 'job': schedule '@every 1.5h' is "
                    + "not a known nickname; jobq writes an interval without the @ and with its unit in words: write "
                    + "'every N second|minute|hour|day|week' with a whole N ≥ 1, such as 'every 15 minutes'");
        }

        @Test
        void anIntervalOfZero() {
            assertThatThrownBy(() -> parse("every 0 minutes")).hasMessage("recurring job 'job': interval "
                    + "'every 0 minutes' must be at least 1 unit, got 0; write e.g. 'every 1 minute'");
        }

        @Test
        void aNegativeOrFractionalInterval() {
            assertThatThrownBy(() -> parse("every -5 minutes")).hasMessage("recurring job 'job': interval "
                    + "'every -5 minutes' must be at least 1 unit, got -5; write e.g. 'every 1 minute'");
            assertThatThrownBy(() -> parse("every 1.5 hours")).hasMessage("recurring job 'job': interval "
                    + "'every 1.5 hours' must count whole units, got '1.5'; write e.g. 'every 15 minutes'");
        }

        @Test
        void anUnknownUnit() {
            assertThatThrownBy(() -> parse("every 2 fortnights")).hasMessage("recurring job 'job': interval "
                    + "'every 2 fortnights' has unknown unit 'fortnights'; use second, minute, hour, day or week "
                    + "(plural allowed)");
        }

        @Test
        void anIntervalWithoutItsParts() {
            assertThatThrownBy(() -> parse("every hour")).hasMessage("recurring job 'job': schedule 'every hour' is "
                    + "not a valid interval; write 'every N unit' with a whole N ≥ 1 and a unit of second, minute, "
                    + "hour, day or week (plural allowed), such as 'every 15 minutes'");
        }

        @Test
        void anUnknownTimezoneWhereItIsNamed() {
            assertThatThrownBy(() -> RecurringJob.builder("digest", "email:digest").timezone("America/New_Yrok"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'digest': unknown timezone 'America/New_Yrok'; use an IANA name such "
                            + "as America/New_York, Europe/Berlin or UTC");
            assertThat(RecurringJob.builder("digest", "email:digest").timezone("Europe/Berlin").schedule("@daily")
                    .build().timezone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        }

        @Test
        void anIntervalLongerThanAYear() {
            assertThatThrownBy(() -> parse("every 53 weeks")).hasMessage("recurring job 'job': interval "
                    + "'every 53 weeks' is longer than 366 days, the longest interval (every 52 weeks at most); use a "
                    + "cron expression such as '0 0 1 1 *' for yearly runs");
            assertThat(parse("every 366 days")).isEqualTo(new IntervalSchedule(Duration.ofDays(366)));
        }

        @Test
        void aCountTooLargeForANumberIsTooLongAnInterval() {
            assertThatThrownBy(() -> parse("every 9999999999999999999 seconds")).hasMessage("recurring job 'job': "
                    + "interval 'every 9999999999999999999 seconds' is longer than 366 days, the longest interval "
                    + "(every 31622400 seconds at most); use a cron expression such as '0 0 1 1 *' for yearly runs");
            assertThatThrownBy(() -> parse("every -9999999999999999999 seconds")).hasMessage("recurring job 'job': "
                    + "interval 'every -9999999999999999999 seconds' must be at least 1 unit, got "
                    + "-9999999999999999999; write e.g. 'every 1 minute'");
            assertThatThrownBy(() -> parse("every 9999999999999999999 fortnights")).hasMessage("recurring job 'job': "
                    + "interval 'every 9999999999999999999 fortnights' has unknown unit 'fortnights'; use second, "
                    + "minute, hour, day or week (plural allowed)");
        }
    }

    @Nested
    @DisplayName("daylight saving time, on the wall clock of America/New_York")
    class DaylightSaving {

        private final ZoneId newYork = ZoneId.of("America/New_York");

        @Test
        void everyTimeInTheSpringGapFiresWhenTheGapEnds() {
            Schedule everyQuarterAtTwo = parser.parse("job", "*/15 2 * * *", newYork);
            Instant before = Instant.parse("2026-03-08T06:00:00Z"); // 01:00 EST

            Instant first = everyQuarterAtTwo.first(before);

            assertThat(first).isEqualTo(Instant.parse("2026-03-08T07:00:00Z")); // 03:00 EDT
            // 02:15, 02:30 and 02:45 fall in the same gap: handed on once, not four times.
            assertThat(everyQuarterAtTwo.next(first)).isEqualTo(Instant.parse("2026-03-09T06:00:00Z"));
        }

        @Test
        void aTimeInTheRepeatedHourFiresAtItsFirstOccurrence() {
            Schedule halfPastOne = parser.parse("job", "30 1 * * *", newYork);

            Instant first = halfPastOne.first(Instant.parse("2026-11-01T04:00:00Z"));

            assertThat(first).isEqualTo(Instant.parse("2026-11-01T05:30:00Z")); // 01:30 EDT
            assertThat(halfPastOne.next(first)).isEqualTo(Instant.parse("2026-11-02T06:30:00Z"));
        }

        /** The first {@code count} occurrences of {@code schedule} after {@code from}. */
        private List<Instant> walk(Schedule schedule, Instant from, int count) {
            List<Instant> runs = new ArrayList<>();
            Instant run = schedule.first(from);
            for (int i = 0; i < count; i++) {
                runs.add(run);
                run = schedule.next(run);
            }
            return runs;
        }

        @ParameterizedTest
        @ValueSource(strings = {"@hourly", "0 * * * *", "0 */1 * * *", "0 0-23 * * *"})
        void anHourlyExpressionFiresInBothPassesOfTheRepeatedHour(String hourly) {
            Schedule schedule = parser.parse("job", hourly, newYork);

            // 2026-11-01: 02:00 EDT falls back to 01:00 EST, so the clock reads 01:xx for two hours.
            assertThat(walk(schedule, Instant.parse("2026-11-01T03:30:00Z"), 5)).containsExactly(
                    Instant.parse("2026-11-01T04:00:00Z"), // 00:00 EDT
                    Instant.parse("2026-11-01T05:00:00Z"), // 01:00 EDT
                    Instant.parse("2026-11-01T06:00:00Z"), // 01:00 EST
                    Instant.parse("2026-11-01T07:00:00Z"), // 02:00 EST
                    Instant.parse("2026-11-01T08:00:00Z")); // 03:00 EST
        }

        @Test
        void aQuarterHourlyExpressionKeepsItsPaceThroughTheRepeatedHour() {
            Schedule schedule = parser.parse("job", "*/15 * * * *", newYork);

            List<Instant> runs = walk(schedule, Instant.parse("2026-11-01T04:50:00Z"), 10);

            assertThat(runs).containsExactly(Instant.parse("2026-11-01T05:00:00Z"), Instant.parse("2026-11-01T05:15:00Z"),
                    Instant.parse("2026-11-01T05:30:00Z"), Instant.parse("2026-11-01T05:45:00Z"),
                    Instant.parse("2026-11-01T06:00:00Z"), Instant.parse("2026-11-01T06:15:00Z"),
                    Instant.parse("2026-11-01T06:30:00Z"), Instant.parse("2026-11-01T06:45:00Z"),
                    Instant.parse("2026-11-01T07:00:00Z"), Instant.parse("2026-11-01T07:15:00Z"));
            // Registered in either pass, the first run is the next quarter of elapsed time.
            assertThat(schedule.first(Instant.parse("2026-11-01T05:50:00Z"))).isEqualTo(Instant.parse("2026-11-01T06:00:00Z"));
            assertThat(schedule.first(Instant.parse("2026-11-01T06:20:00Z"))).isEqualTo(Instant.parse("2026-11-01T06:30:00Z"));
        }

        @Test
        void aMinuteWildcardInAFixedHourFiresInBothPasses() {
            Schedule schedule = parser.parse("job", "*/30 1 * * *", newYork);

            assertThat(walk(schedule, Instant.parse("2026-11-01T04:00:00Z"), 5)).containsExactly(
                    Instant.parse("2026-11-01T05:00:00Z"), Instant.parse("2026-11-01T05:30:00Z"),
                    Instant.parse("2026-11-01T06:00:00Z"), Instant.parse("2026-11-01T06:30:00Z"),
                    Instant.parse("2026-11-02T06:00:00Z"));
        }

        @Test
        void aListOfFixedTimesInTheRepeatedHourFiresEachOnce() {
            Schedule schedule = parser.parse("job", "0,30 1 * * *", newYork);

            assertThat(walk(schedule, Instant.parse("2026-11-01T04:00:00Z"), 3)).containsExactly(
                    Instant.parse("2026-11-01T05:00:00Z"), Instant.parse("2026-11-01T05:30:00Z"),
                    Instant.parse("2026-11-02T06:00:00Z"));
        }

        @Test
        void springForwardIsUnchanged() {
            assertThat(walk(parser.parse("job", "@hourly", newYork), Instant.parse("2026-03-08T05:30:00Z"), 3))
                    .containsExactly(Instant.parse("2026-03-08T06:00:00Z"), // 01:00 EST
                            Instant.parse("2026-03-08T07:00:00Z"), // 03:00 EDT (02:00 does not exist)
                            Instant.parse("2026-03-08T08:00:00Z"));
            assertThat(walk(parser.parse("job", "*/15 * * * *", newYork), Instant.parse("2026-03-08T06:40:00Z"), 3))
                    .containsExactly(Instant.parse("2026-03-08T06:45:00Z"), Instant.parse("2026-03-08T07:00:00Z"),
                            Instant.parse("2026-03-08T07:15:00Z"));
        }

        @Test
        void aZoneWithAHalfHourFallBackRepeatsHalfAnHour() {
            // Australia/Lord_Howe, 2026-04-05: 02:00 (+11) falls back to 01:30 (+10:30).
            Schedule schedule = parser.parse("job", "*/15 * * * *", ZoneId.of("Australia/Lord_Howe"));

            assertThat(walk(schedule, Instant.parse("2026-04-04T14:20:00Z"), 6)).containsExactly(
                    Instant.parse("2026-04-04T14:30:00Z"), // 01:30 +11
                    Instant.parse("2026-04-04T14:45:00Z"), // 01:45 +11
                    Instant.parse("2026-04-04T15:00:00Z"), // 01:30 +10:30
                    Instant.parse("2026-04-04T15:15:00Z"), // 01:45 +10:30
                    Instant.parse("2026-04-04T15:30:00Z"), // 02:00 +10:30
                    Instant.parse("2026-04-04T15:45:00Z"));
        }

        @Test
        void registeredDuringTheSecondPassOfTheRepeatedHourItWaitsForTheNextDay() {
            Schedule halfPastOne = parser.parse("job", "30 1 * * *", newYork);

            // 06:10Z is 01:10 EST, after 01:30 EDT has already passed
            assertThat(halfPastOne.first(Instant.parse("2026-11-01T06:10:00Z")))
                    .isEqualTo(Instant.parse("2026-11-02T06:30:00Z"));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // the schedule and the parts of it named were repeated raw: a newline in it started a line of its own in
            // the message and the log, an ANSI escape repainted the terminal
            "0 0 31 2 *<LF> | recurring job 'job': cron expression '0 0 31 2 *\\n' never fires",
            "@dialy<LF> | recurring job 'job': schedule '@dialy\\n' is not a known nickname",
            "0 9 *<ESC> | recurring job 'job': schedule '0 9 *\\u001b' is not a valid cron expression (",
            "<ESC>*/0 * * * * | recurring job 'job': schedule '\\u001b*/0 * * * *' is not a valid cron expression (its "
                    + "minute field '\\u001b*/0' has a step of 0",
            "every x<ESC> minutes | recurring job 'job': interval 'every x\\u001b minutes' must count whole units, got "
                    + "'x\\u001b'",
            "every 5 min<ESC>utes | recurring job 'job': interval 'every 5 min\\u001butes' has unknown unit "
                    + "'min\\u001butes'"})
    @DisplayName("a schedule refused is repeated with its control characters escaped, as the job's name is")
    void aScheduleWithControlCharactersIsRepeatedEscaped(String written, String refusal) {
        String text = written.replace("<LF>", "\n").replace("<ESC>", "\u001b");

        assertThatThrownBy(() -> parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(refusal).hasMessageNotContaining("\n").hasMessageNotContaining("\u001b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 31 2 *<LF>", "0 9 *<ESC>", "<ESC>*/0 * * * *", "0 9 * * MON<ESC>[31MX",
            "0 9 * * *<LF>forged", "every x<ESC> minutes", "every 1<ESC>[31m minutes"})
    @DisplayName("a schedule refused is not repeated raw by the cause of its refusal, in a log line with its stack trace")
    void aScheduleWithControlCharactersIsNotRepeatedRawByTheCauseOfItsRefusal(String written) {
        // the refusal escaped the schedule, but carried cron-utils' exception (or CronSchedule's, or BigInteger's),
        // whose message repeats it raw: a log line with the refusal's stack trace had the newline and the ANSI escape
        // after "Caused by:"
        String text = written.replace("<LF>", "\n").replace("<ESC>", "\u001b");

        assertThatThrownBy(() -> parse(text)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(refusal -> {
                    var trace = new StringWriter();
                    refusal.printStackTrace(new PrintWriter(trace));
                    assertThat(trace.toString()).as("the refusal's stack trace, as a log line shows it")
                            .contains("recurring job 'job': ").doesNotContain("\u001b", text);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // a minute field read for whether it fires in both passes of a repeated hour
            "%s * * * *",
            // a seconds field first, read for whether it fires evenly through the minute
            "%s * * * * *"})
    @DisplayName("a cron whose list has thousands of entries is refused, not a StackOverflowError")
    void aSecondsListOfThousandsOfEntriesIsRefusedNotAStackOverflow(String form) {
        // \\d+(,\\d+)* and \\d{1,2}(?:,\\d{1,2})+ recursed once an entry: registering such a schedule threw a
        // StackOverflowError out of registerRecurring, no refusal
        String schedule = form.formatted("0," + "1,".repeat(5_000) + "2");
        var clock = new SettableClock(MONDAY_NOON);
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder()
                .jdbcUrl("jdbc:h2:mem:jobq-long-list-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, new RecordingSink(clock)))) {
            assertThatThrownBy(() -> scheduler.registerRecurring(RecurringJob.builder("job", "report:send")
                    .schedule(schedule).build(), "{}")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("recurring job 'job': schedule '0,1,1,");
        }
    }

    @Test
    @DisplayName("a long schedule refused is cut with its length, as a long name is")
    void aLongScheduleIsRepeatedCutWithItsLength() {
        String unit = "m".repeat(10_000);

        assertThatThrownBy(() -> parse("every 5 " + unit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("recurring job 'job': interval 'every 5 " + "m".repeat(247) + "…' (10008 characters) has "
                        + "unknown unit '" + "m".repeat(255) + "…' (10000 characters); use second, minute, hour, day or "
                        + "week (plural allowed)");
    }
}
