package dev.jobq;

/**
 * Thrown by a handler to say that retrying cannot help (bad input, a resource that is gone):
 * the job goes to the dead letters at once, whatever attempts it had left. Only the exception the handler throws is
 * looked at: one wrapped as the cause of another (a {@code CompletionException} from a future's {@code join()}, an
 * {@code ExecutionException}) fails the attempt as any exception does, retried while attempts remain; unwrap it, or
 * throw one of your own, to end the job at once.
 */
public class NonRetryableJobException extends RuntimeException {

    public NonRetryableJobException(String message) {
        super(message);
    }

    public NonRetryableJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
