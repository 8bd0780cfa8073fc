package dev.jobq;

/**
 * Thrown by a handler to say that retrying cannot help (bad input, a resource that is gone):
 * the job goes to the dead letters at once, whatever attempts it had left.
 */
public class NonRetryableJobException extends RuntimeException {

    public NonRetryableJobException(String message) {
        super(message);
    }

    public NonRetryableJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
