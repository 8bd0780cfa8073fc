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
    @DisplayName("a cut between the two halves of an emoji keeps neither half")
    void anErrorCutToASizeNeverEndsInsideAnEmoji() {
        assertThat(DeadLetterCopies.cut("ab\uD83D\uDE00cd", 7)).isEqualTo("ab…");
    }
}
