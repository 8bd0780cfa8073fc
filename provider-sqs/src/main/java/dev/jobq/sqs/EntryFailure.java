package dev.jobq.sqs;

import dev.jobq.JobQueueException;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** What SQS answered for one failed call or batch entry, with its error code. */
final class EntryFailure extends JobQueueException {

    /** Codes of failures on SQS's side, or of its throttling, that the same entry may not meet again. */
    private static final Set<String> TRANSIENT_CODES = Set.of("InternalError", "InternalFailure", "ServiceUnavailable",
            "RequestTimeout", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequestsException",
            "KmsThrottled");

    private final String code;
    private final @Nullable Boolean senderFault;

    /** A failure without SQS's sender-fault flag: never retried unless its code is a known transient one. */
    EntryFailure(String what, String code, String message) {
        this(what, code, null, message);
    }

    /**
     * @param senderFault SQS's {@code SenderFault} of the entry: true when the entry itself is wrong, false
     *                    when SQS failed it on its side; null when SQS did not say
     * @param message     SQS's message for the entry, which it may leave out
     */
    EntryFailure(String what, String code, @Nullable Boolean senderFault, @Nullable String message) {
        // SQS's words, or those of a server or a proxy that is not SQS: masked, on one line of at most 1,000 characters
        super(what + " failed: " + LoggableThrowables.oneLine(Secrets.maskUrl(code + (message == null
                || message.isBlank() ? " (SQS gave no message)" : ": " + message))));
        this.code = code;
        this.senderFault = senderFault;
    }

    private EntryFailure(EntryFailure last, int attempts) {
        super(last.getMessage() + " (tried " + attempts + " times; SQS failed it on its side each time)", last);
        this.code = last.code;
        this.senderFault = last.senderFault;
    }

    String code() {
        return code;
    }

    /**
     * True when the same entry, sent again, may succeed: SQS failed it on its side (not the sender's
     * fault) or throttled it. A lost receipt never is, whatever SQS says of the fault.
     */
    boolean isTransient() {
        if (isLostReceipt()) {
            return false;
        }
        return TRANSIENT_CODES.contains(code) || Boolean.FALSE.equals(senderFault);
    }

    /** True for throttling, which deserves a longer pause before the entry goes again. */
    boolean isThrottling() {
        return code.contains("Throttl") || code.equals("TooManyRequestsException");
    }

    /** This failure, as the last of {@code attempts} attempts of the entry. */
    EntryFailure afterAttempts(int attempts) {
        return new EntryFailure(this, attempts);
    }

    /**
     * True when SQS refused a receipt because its delivery is over: deleted, or no longer in flight
     * (its visibility timeout passed). Acknowledging or failing such a delivery is refused with
     * {@code LeaseLostException}, releasing it ignored, as for a stale one.
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
