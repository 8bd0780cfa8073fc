package dev.jobq.examples;

import dev.jobq.Job;
import dev.jobq.NonRetryableJobException;
import org.jspecify.annotations.Nullable;

/**
 * What the example handlers do with a job that has no payload: {@code jobq enqueue TYPE} without {@code --payload},
 * or another producer's {@code "payload": null}, which jobq hands to the handler as {@code null}. No attempt can
 * succeed without one, so the job is dead at once with the payload to give, rather than failing every attempt with a
 * {@link NullPointerException} after backoff.
 */
final class RequiredPayload {

    private RequiredPayload() {
    }

    /**
     * {@code job}'s payload; throws {@link NonRetryableJobException} naming the job, its type and, as the fix,
     * {@code example}, a payload of its type as JSON, when it has none.
     */
    static <T> T of(Job<T> job, String example) {
        @Nullable T payload = job.payload();
        if (payload == null) {
            throw new NonRetryableJobException("job " + job.id() + " of type '" + job.type() + "' has no payload; "
                    + "enqueue it with one, such as jobq enqueue " + job.type() + " --payload '" + example + "'");
        }
        return payload;
    }
}
