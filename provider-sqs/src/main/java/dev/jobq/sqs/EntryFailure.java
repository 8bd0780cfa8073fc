package dev.jobq.sqs;

import dev.jobq.JobQueueException;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** What SQS answered for one failed call or batch entry, with its error code. */
final class EntryFailure extends JobQueueException {

    private final String code;

    EntryFailure(String what, String code, String message) {
        super(what + " failed: " + code + ": " + message);
        this.code = code;
    }

    String code() {
        return code;
    }

    /**
     * True when SQS refused a receipt because its delivery is over: deleted, or no longer in flight
     * (its visibility timeout passed). Settling such a delivery is ignored, as for a stale one.
     */
    boolean isLostReceipt() {
        return isLostReceipt(code, getMessage());
    }

    static boolean isLostReceipt(RuntimeException e) {
        if (e instanceof EntryFailure failure) {
            return failure.isLostReceipt();
        }
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            return isLostReceipt(String.valueOf(aws.awsErrorDetails().errorCode()), aws.getMessage());
        }
        return false;
    }

    private static boolean isLostReceipt(String code, String message) {
        String text = String.valueOf(message).toLowerCase(Locale.ROOT);
        return code.contains("ReceiptHandleIsInvalid") || code.contains("MessageNotInflight")
                || (code.contains("InvalidParameterValue") && text.contains("receipt"));
    }
}
