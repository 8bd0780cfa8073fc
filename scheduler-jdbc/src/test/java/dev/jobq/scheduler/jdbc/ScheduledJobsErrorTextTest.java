package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The failed hand-off's error as a row's {@code error} column holds it ({@link ScheduledJobs#errorOf}). */
class ScheduledJobsErrorTextTest {

    @Test
    @DisplayName("a URL's password across the column's cut is masked: cut first, the mask of 'jobq schedule' found no "
            + "'@' after what was left of the password, and showed it")
    void aPasswordAcrossTheCutIsMaskedBeforeTheCut() {
        String text = "IllegalStateException: " + "x".repeat(1933) + " https://jobq:hunter2secret@sqs.example/q: "
                + "refused, " + "y".repeat(40);

        // Before: "… https://jobq:hunter… (72 more characters)"
        assertThat(ScheduledJobs.errorOf(text)).isEqualTo(
                "IllegalStateException: " + "x".repeat(1933) + " https://jobq:****@s… (63 more characters)");
    }
}
