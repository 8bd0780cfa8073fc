package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsTest {

    private static final String LETTERS = "x".repeat(100_000);
    private static final String DIGITS = "9".repeat(100_000);

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("not a whole number", LETTERS, (Consumer<Settings>) s -> s.integer("n", 1, 1, 10),
                        "test.n: must be a whole number, got '" + "x".repeat(80) + "…' (100000 characters)"),
                Arguments.of("a whole number with separators", "1_" + DIGITS, (Consumer<Settings>) s -> s.integer("n",
                        1, 1, 10), "test.n: must be a whole number, got '1_" + "9".repeat(78) + "…' (100002 "
                        + "characters); write it without digit separators, e.g. 1" + "9".repeat(79) + "…"),
                Arguments.of("a whole number with 50,000 separators", "1_".repeat(50_000) + "1",
                        (Consumer<Settings>) s -> s.integer("n", 1, 1, 10), "test.n: must be a whole number, got '"
                        + "1_".repeat(40) + "…' (100001 characters); write it without digit separators, e.g. "
                        + "1".repeat(80) + "…"),
                Arguments.of("a whole number too large", DIGITS, (Consumer<Settings>) s -> s.integer("n", 1, 1, 10),
                        "test.n: must be ≤ 10, got " + "9".repeat(80) + "… (100000 digits)"),
                Arguments.of("not true or false", LETTERS, (Consumer<Settings>) s -> s.bool("n", true),
                        "test.n: must be true or false, got '" + "x".repeat(80) + "…' (100000 characters)"),
                Arguments.of("not a size", LETTERS, (Consumer<Settings>) s -> s.bytes("n", 1, 1, 10),
                        "test.n: must be a size such as 262144, 256KiB or 1MiB, got '" + "x".repeat(80)
                        + "…' (100000 characters)"),
                Arguments.of("a URL with a long password", "postgres://app:" + "p".repeat(100) + "@db.internal/jobs",
                        (Consumer<Settings>) s -> s.bool("n", true), "test.n: must be true or false, got "
                        + "'postgres://app:****@db.internal/jobs'"),
                Arguments.of("not a duration", LETTERS, (Consumer<Settings>) s -> s.duration("n"),
                        "test.n: '" + "x".repeat(80) + "…' (100000 characters) is not " + DurationFormat.EXPECTED),
                Arguments.of("a duration without a unit", DIGITS, (Consumer<Settings>) s -> s.duration("n",
                        Duration.ZERO, Duration.ZERO, Duration.ofHours(1)), "test.n: '" + "9".repeat(80) + "…' (100000 "
                        + "characters) has no unit, and is too large for a duration in any of ms, s, m and h; write a "
                        + "smaller number with its unit, such as 30s"),
                Arguments.of("a negative duration", "-" + "0".repeat(99_998) + "5s", (Consumer<Settings>) s -> s.duration(
                        "n", Duration.ZERO, Duration.ZERO, Duration.ofDays(1)), "test.n: '-" + "0".repeat(79) + "…' "
                        + "(100001 characters) is negative; durations here are 0 or more, e.g. " + "0".repeat(151)
                        + "…"),
                Arguments.of("a duration too large for one", DIGITS + "s", (Consumer<Settings>) s -> s.duration("n",
                        Duration.ZERO, Duration.ZERO, Duration.ofHours(1)), "test.n: must be ≤ 1h, got "
                        + "9".repeat(80) + "… (100001 characters)"),
                Arguments.of("not a section of keys", LETTERS, (Consumer<Settings>) s -> s.section("n"),
                        "test.n: must be a section of keys, got '" + "x".repeat(80) + "…' (100000 characters); write "
                        + "its keys on the lines below n:, indented"),
                Arguments.of("a list for a single value", List.of(LETTERS), (Consumer<Settings>) s -> s.string("n"),
                        "test.n: must be a single value, got [" + "x".repeat(79) + "… (100002 characters)"),
                Arguments.of("a size too large for a long", DIGITS, (Consumer<Settings>) s -> s.bytes("n", 1, 1, 10),
                        "test.n: must be between 1 and 10 bytes, got '" + "9".repeat(80) + "…' (100000 characters)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    @DisplayName("a 100,000-character value is cut in its refusal, its length said: it was repeated whole")
    void cutsALongValueInItsRefusal(String refusal, Object value, Consumer<Settings> read, String problem) {
        Settings settings = Settings.of("jobq.yaml", "test", Map.of("n", value));
        read.accept(settings);
        assertThat(settings.problems()).containsExactly(problem);
    }

    @Test
    @DisplayName("a provider given as a 100,000-character word is cut where its refusal and its advice repeat it")
    void cutsALongProviderTypeInItsSectionAdvice() {
        Settings settings = Settings.of("jobq.yaml", "", Map.of("provider", "p".repeat(100_000)));
        settings.section("provider");
        assertThat(settings.problems()).containsExactly("provider: must be a section of keys, got '" + "p".repeat(80)
                + "…' (100000 characters); write the provider as its type: provider: {type: " + "p".repeat(80) + "…}");
    }
}
