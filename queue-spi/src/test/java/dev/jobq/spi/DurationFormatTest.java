package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("DurationFormat: durations as the config file and the jobq command write them")
class DurationFormatTest {

    @ParameterizedTest
    @CsvSource({"1h30m, PT1H30M", "2m30s, PT2M30S", "1d12h, PT36H", "1s500ms, PT1.5S", "1H 30M, PT1H30M"})
    void readsSeveralUnitsTogether(String written, Duration expected) {
        assertThat(DurationFormat.parse(written)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 250, 1_000, 1_500, 59_999, 90_000, 5_400_000, 86_400_000, 93_784_005, 315_360_000_000L})
    @DisplayName("every duration it prints, in messages and in `jobq config check`, reads back as the same duration")
    void readsBackWhatItPrints(long millis) {
        Duration duration = Duration.ofMillis(millis);

        assertThat(DurationFormat.parse(DurationFormat.format(duration))).isEqualTo(duration);
    }
}
