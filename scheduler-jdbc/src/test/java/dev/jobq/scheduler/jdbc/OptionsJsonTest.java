package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OptionsJson: the options column")
class OptionsJsonTest {

    private final OptionsJson json = new OptionsJson();

    @Test
    @DisplayName("reads back what it wrote, whichever text it read last")
    void readsBackWhatItWrote() {
        var reports = new JobOptions(5, Duration.ofSeconds(10), 3, "key-1", "reports");
        var mail = new JobOptions(2, Duration.ofMinutes(1), 0, null, "default");
        String reportsText = json.write(reports);
        String mailText = json.write(mail);

        assertThat(json.read(reportsText, "row 1")).isEqualTo(reports);
        assertThat(json.read(reportsText, "row 2")).isEqualTo(reports);
        assertThat(json.read(mailText, "row 3")).isEqualTo(mail);
        assertThat(json.read(reportsText, "row 4")).isEqualTo(reports);
    }

    @Test
    @DisplayName("a missing field takes its default; text that is not an options object names the row")
    void defaultsAndErrors() {
        assertThat(json.read("{\"queue\":\"reports\"}", "row 1"))
                .isEqualTo(new JobOptions(JobOptions.DEFAULT_MAX_ATTEMPTS, JobOptions.DEFAULT_TIMEOUT,
                        JobOptions.DEFAULT_PRIORITY, null, "reports"));
        assertThatThrownBy(() -> json.read("{not json", "scheduled job 7"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scheduled job 7");
    }
}
