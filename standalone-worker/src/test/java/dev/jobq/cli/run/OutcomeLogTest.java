package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.metrics.AttemptOutcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutcomeLogTest {

    @Test
    void completedLineHasJobTypeQueueAttemptOutcomeAndDuration() {
        var line = OutcomeLog.line(new AttemptOutcome("default", "j-1", "email:send", 1,
                AttemptOutcome.Kind.COMPLETED, Duration.ofMillis(12), null));

        assertThat(line).isEqualTo("job=j-1 type=email:send queue=default attempt=1 outcome=completed duration=12ms");
    }

    @Test
    void errorIsQuotedWithQuotesAndNewlinesEscaped() {
        var line = OutcomeLog.line(new AttemptOutcome("q", "j-2", "t", 3, AttemptOutcome.Kind.FAILED,
                Duration.ofSeconds(2), "IOException: \"x\"\nnext"));

        assertThat(line).isEqualTo("job=j-2 type=t queue=q attempt=3 outcome=failed duration=2s "
                + "error=\"IOException: \\\"x\\\"\\nnext\"");
    }

    @Test
    void jobThatNeverReachedAHandlerHasNoDuration() {
        var line = OutcomeLog.line(new AttemptOutcome("q", "j-3", "unknown", 1, AttemptOutcome.Kind.DEAD, null,
                "no handler"));

        assertThat(line).contains("outcome=dead duration=- error=\"no handler\"");
    }
}
