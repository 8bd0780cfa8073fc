package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeadLetterCopiesTest {

    @Test
    @DisplayName("an error cut to fit the dead-letter queue's size ends before an escape, never inside one: it ended in "
            + "sixteen \\u0001 and a lone backslash")
    void anErrorCutToASizeNeverEndsInsideAnEscape() {
        String error = DeadLetterCopies.errorText("\u0001".repeat(400));

        assertThat(DeadLetterCopies.cut(error, 100)).isEqualTo("\\u0001".repeat(16) + "…");
        // 998 bytes, a copy one byte over its queue's size: cut to 997, of which 994 before the "…"
        String thrown = DeadLetterCopies.errorText("IllegalStateException: " + "\u0001".repeat(400));
        assertThat(DeadLetterCopies.cut(thrown, OutgoingMessage.bytes(thrown) - 1))
                .isEqualTo("IllegalStateException: " + "\\u0001".repeat(161) + "…");
    }

    @Test
    @DisplayName("a URL's password across the cut of the error is masked: cut first, the CLI's mask of the dead letter "
            + "found no '@' after what was left of the password, and showed it")
    void aPasswordAcrossTheCutIsMaskedBeforeTheCut() {
        String error = "IllegalStateException: " + "x".repeat(957) + " https://jobq:hunter2secret@sqs.example/q "
                + "(attempt 1 of 1)";

        assertThat(DeadLetterCopies.errorText(error))
                .isEqualTo("IllegalStateException: " + "x".repeat(957) + " https://jobq:****@s…");
        assertThat(DeadLetterCopies.cut("https://jobq:hunter2secret@sqs.example/q", 20)).isEqualTo("https://jobq:****…");
        assertThat(DeadLetterCopies.errorText("no route to https://jobq:hunter2secret@sqs.example/q"))
                .as("an error that is not cut reaches the masks after it whole")
                .isEqualTo("no route to https://jobq:hunter2secret@sqs.example/q");
    }

    @Test
    @DisplayName("a cut between the two halves of an emoji keeps neither half")
    void anErrorCutToASizeNeverEndsInsideAnEmoji() {
        assertThat(DeadLetterCopies.cut("ab\uD83D\uDE00cd", 7)).isEqualTo("ab…");
    }
}
