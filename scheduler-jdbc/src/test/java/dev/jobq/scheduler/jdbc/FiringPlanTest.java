package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.MisfirePolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FiringPlan: on time, and each misfire policy")
class FiringPlanTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Schedule HOURLY = new IntervalSchedule(Duration.ofHours(1));
    private static final Duration THRESHOLD = Duration.ofMinutes(1);

    private static Instant at(int hours, int minutes) {
        return T0.plus(Duration.ofHours(hours)).plus(Duration.ofMinutes(minutes));
    }

    @Test
    void anOnTimeOccurrenceFiresAloneAndTheScheduleMovesOneStep() {
        FiringPlan plan = FiringPlan.of(HOURLY, T0, T0.plusSeconds(59), MisfirePolicy.SKIP, THRESHOLD, 100);

        assertThat(plan).isEqualTo(new FiringPlan(List.of(T0), at(1, 0), false));
    }

    @Test
    void fireOnceCollapsesTheMissedOccurrencesIntoTheFirst() {
        FiringPlan plan = FiringPlan.of(HOURLY, T0, at(3, 30), MisfirePolicy.FIRE_ONCE, THRESHOLD, 100);

        assertThat(plan).isEqualTo(new FiringPlan(List.of(T0), at(4, 0), true));
    }

    @Test
    void fireOnceOfASingleMissedOccurrenceDropsNothing() {
        FiringPlan plan = FiringPlan.of(HOURLY, T0, at(0, 30), MisfirePolicy.FIRE_ONCE, THRESHOLD, 100);

        assertThat(plan).isEqualTo(new FiringPlan(List.of(T0), at(1, 0), false));
    }

    @Test
    void skipFiresNothingAndContinuesAtTheFirstOccurrenceWithinTheThreshold() {
        FiringPlan plan = FiringPlan.of(HOURLY, T0, at(3, 0).plusSeconds(30), MisfirePolicy.SKIP, THRESHOLD, 100);

        assertThat(plan).isEqualTo(new FiringPlan(List.of(), at(3, 0), true));
    }

    @Test
    void fireAllFiresEachMissedOccurrenceUpToItsLimit() {
        assertThat(FiringPlan.of(HOURLY, T0, at(3, 30), MisfirePolicy.FIRE_ALL, THRESHOLD, 100))
                .isEqualTo(new FiringPlan(List.of(T0, at(1, 0), at(2, 0), at(3, 0)), at(4, 0), false));
        // A burst tried again from its second occurrence goes on to the burst's end; one left before it is ignored.
        assertThat(FiringPlan.of(HOURLY, at(1, 0), at(3, 30), MisfirePolicy.FIRE_ALL, THRESHOLD, 100, at(2, 0)))
                .isEqualTo(new FiringPlan(List.of(at(1, 0), at(2, 0)), at(4, 0), true));
        assertThat(FiringPlan.of(HOURLY, at(1, 0), at(3, 30), MisfirePolicy.FIRE_ALL, THRESHOLD, 100, T0))
                .isEqualTo(new FiringPlan(List.of(at(1, 0), at(2, 0), at(3, 0)), at(4, 0), false));
        assertThat(FiringPlan.of(HOURLY, T0, at(3, 30), MisfirePolicy.FIRE_ALL, THRESHOLD, 2))
                .isEqualTo(new FiringPlan(List.of(T0, at(1, 0)), at(4, 0), true));
    }

    @Test
    void missedOccurrencesAcrossAFallBackCountBothPassesOfAnHourlyCron() {
        // America/New_York, 2026-11-01: 05:00Z is 01:00 EDT, 06:00Z 01:00 EST, 07:00Z 02:00 EST.
        Schedule hourly = new ScheduleParser().parse("job", "@hourly", ZoneId.of("America/New_York"));
        Instant first = Instant.parse("2026-11-01T05:00:00Z");
        Instant now = Instant.parse("2026-11-01T07:30:00Z");
        Instant continueAt = Instant.parse("2026-11-01T08:00:00Z");

        assertThat(FiringPlan.of(hourly, first, now, MisfirePolicy.FIRE_ALL, THRESHOLD, 100)).isEqualTo(new FiringPlan(
                List.of(first, Instant.parse("2026-11-01T06:00:00Z"), Instant.parse("2026-11-01T07:00:00Z")),
                continueAt, false));
        assertThat(FiringPlan.of(hourly, first, now, MisfirePolicy.FIRE_ONCE, THRESHOLD, 100))
                .isEqualTo(new FiringPlan(List.of(first), continueAt, true));
        assertThat(FiringPlan.of(hourly, first, now, MisfirePolicy.SKIP, THRESHOLD, 100))
                .isEqualTo(new FiringPlan(List.of(), continueAt, true));
        // Down until 06:30Z (01:30 EST): the schedule continues in the second pass, not at 02:00 EST.
        assertThat(FiringPlan.of(hourly, first, Instant.parse("2026-11-01T06:30:00Z"), MisfirePolicy.SKIP, THRESHOLD,
                100)).isEqualTo(new FiringPlan(List.of(), Instant.parse("2026-11-01T07:00:00Z"), true));
    }

    @Test
    void aFixedTimeMissedAcrossAFallBackIsOneOccurrence() {
        Schedule halfPastOne = new ScheduleParser().parse("job", "30 1 * * *", ZoneId.of("America/New_York"));
        Instant first = Instant.parse("2026-11-01T05:30:00Z"); // 01:30 EDT; 06:30Z (01:30 EST) is not another

        assertThat(FiringPlan.of(halfPastOne, first, Instant.parse("2026-11-01T07:00:00Z"), MisfirePolicy.FIRE_ALL,
                THRESHOLD, 100)).isEqualTo(new FiringPlan(List.of(first), Instant.parse("2026-11-02T06:30:00Z"), false));
    }
}
