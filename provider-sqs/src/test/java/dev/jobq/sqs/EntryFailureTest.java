package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EntryFailureTest {

    @Test
    @DisplayName("a failed batch entry that SQS gave no message is said so, not \"CODE: null\"")
    void anEntryWithoutAMessageIsNotNamedNull() {
        var failure = new EntryFailure("SendMessage", "InternalError", false, null);

        assertThat(failure.getMessage()).isEqualTo("SendMessage failed: InternalError (SQS gave no message)");
    }

    @Test
    @DisplayName("a failed batch entry's message follows its code")
    void anEntrysMessageFollowsItsCode() {
        var failure = new EntryFailure("DeleteMessage", "ReceiptHandleIsInvalid", true, "The receipt handle has expired");

        assertThat(failure.getMessage())
                .isEqualTo("DeleteMessage failed: ReceiptHandleIsInvalid: The receipt handle has expired");
    }
}
