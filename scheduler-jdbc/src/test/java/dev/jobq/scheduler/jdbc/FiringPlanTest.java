package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.MisfirePolicy;
import java.time.Duration;
import java.time.Instant;
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
        assertThat(FiringPlan.of(HOURLY, T0, at(3, 30), MisfirePolicy.FIRE_ALL, THRESHOLD, 2))
                .isEqualTo(new FiringPlan(List.of(T0, at(1, 0)), at(4, 0), true));
    }
}
