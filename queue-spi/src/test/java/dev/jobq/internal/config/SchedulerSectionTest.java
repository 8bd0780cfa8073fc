package dev.jobq.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ConfigLoader: scheduler:")
class SchedulerSectionTest {

    @Test
    void isAbsentWhenNotWritten() {
        assertThat(Load.yaml("worker: {}\n").scheduler()).isNull();
    }

    @Test
    void usesTheDefaultsOfAWrittenSection() {
        SchedulerSection scheduler = Load.yaml("scheduler: {}\n").scheduler();

        assertThat(scheduler.enabled()).isFalse();
        assertThat(scheduler.type()).isEqualTo("jdbc");
        assertThat(scheduler.pollInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(scheduler.settings().path()).isEqualTo("scheduler");
    }

    @Test
    void readsItsKeysAndPassesTheRestToTheFactory() {
        SchedulerSection scheduler = Load.yaml("""
                scheduler:
                  enabled: true
                  pollInterval: 10s
                  jdbcUrl: jdbc:postgresql://db/jobs
                """).scheduler();

        assertThat(scheduler.enabled()).isTrue();
        assertThat(scheduler.pollInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(scheduler.settings().string("jdbcUrl")).isEqualTo("jdbc:postgresql://db/jobs");
    }

    @Test
    void handsThePollIntervalOverrideToTheFactoryToo() {
        SchedulerSection scheduler = Load.yaml("scheduler:\n  pollInterval: 10s\n",
                Map.of("SCHEDULER_POLL_INTERVAL", "250")).scheduler();

        assertThat(scheduler.pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(scheduler.settings().duration("pollInterval")).isEqualTo(Duration.ofMillis(250));
        assertThat(scheduler.settings().problems()).isEmpty();
    }

    @Test
    void letsTheFactoryReportUnknownKeys() {
        assertThat(Load.problems("scheduler:\n  enabled: true\n  jdbcUlr: jdbc:h2:mem:x\n")).containsExactly(
                "scheduler.jdbcUlr: unknown key; did you mean jdbcUrl? (known keys here: enabled, type, "
                        + "pollInterval, jdbcUrl, username, password)");
    }

    @Test
    void refusesAnEnabledSchedulerThatIsNotOnTheClasspath() {
        assertThat(Load.problems("scheduler:\n  enabled: true\n", Map.of(), TestCatalogs.memoryOnly()))
                .containsExactly("scheduler: is enabled, but: unknown scheduler type 'jdbc' (none is on the "
                        + "classpath); add dev.jobq:scheduler-jdbc to the classpath (or its jar to the worker's "
                        + "--handlers directory)");
    }

    @Test
    void namesTheVariableThatTurnedOnASchedulerTheFileDoesNotHave() {
        // "scheduler: is enabled" sent the reader to a section the file does not have
        assertThat(Load.problems("provider: {type: memory}\n", Map.of("SCHEDULER_ENABLED", "true"),
                TestCatalogs.memoryOnly())).containsExactly("SCHEDULER_ENABLED: turns on a scheduler (the file has no "
                + "scheduler: section), but: unknown scheduler type 'jdbc' (none is on the classpath); add "
                + "dev.jobq:scheduler-jdbc to the classpath (or its jar to the worker's --handlers directory); or unset "
                + "SCHEDULER_ENABLED");
    }

    @Test
    void namesAWrittenTypeThatIsUnknown() {
        assertThat(Load.problems("scheduler:\n  enabled: true\n  type: quartz\n")).containsExactly(
                "scheduler.type: unknown scheduler type 'quartz' (available: jdbc); check the spelling, or add the "
                        + "jar that provides it");
    }

    @Test
    void namesAnUnknownTypeOfADisabledSection() {
        assertThat(Load.problems("scheduler:\n  enabled: false\n  type: jdbcc\n  jdbcUrl: jdbc:h2:mem:x\n"))
                .containsExactly("scheduler.type: unknown scheduler type 'jdbcc' (available: jdbc); check the "
                        + "spelling, or add the jar that provides it");
    }

    @Test
    void refusesADisabledSectionWhoseSchedulerIsMissing() {
        assertThat(Load.problems("scheduler:\n  jdbcUrl: jdbc:h2:mem:x\n", Map.of(), TestCatalogs.memoryOnly()))
                .containsExactly("scheduler: is written (with enabled: false this process still hands long delays "
                        + "and scheduled jobs to the scheduler's store), but: unknown scheduler type 'jdbc' (none is "
                        + "on the classpath); add dev.jobq:scheduler-jdbc to the classpath (or its jar to the "
                        + "worker's --handlers directory)");
    }

    /** A type from a variable read from a file (a mounted secret, an env file) ends in its newline. */
    @Test
    void readsATypeWithTheTrailingNewlineOfAVariableRead() {
        SchedulerSection scheduler = Load.yaml("scheduler:\n  type: ${SCHEDULER}\n", Map.of("SCHEDULER", "jdbc\n"))
                .scheduler();

        assertThat(scheduler.type()).isEqualTo("jdbc");
    }

    /** A variable read from an empty file holds its newline alone: no type, as an empty value is, so the default. */
    @Test
    void readsATypeOfBlanksAloneAsAbsent() {
        SchedulerSection scheduler = Load.yaml("scheduler:\n  type: ${SCHEDULER}\n", Map.of("SCHEDULER", " \n"))
                .scheduler();

        assertThat(scheduler.type()).isEqualTo("jdbc");
    }
}
