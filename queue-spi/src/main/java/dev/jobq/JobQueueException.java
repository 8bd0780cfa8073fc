package dev.jobq;

/**
 * Root of every exception jobq throws. Messages name the thing, the bad value and the fix.
 */
public class JobQueueException extends RuntimeException {

    public JobQueueException(String message) {
        super(message);
    }

    public JobQueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
