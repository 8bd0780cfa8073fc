package dev.jobq.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What became of one job of {@link QueueProvider#enqueueAll}: its result, or the exception that
 * refused it. Exactly one of the two is set.
 *
 * @param result  the result, as {@link QueueProvider#enqueue} would have returned it
 * @param failure the exception {@link QueueProvider#enqueue} would have thrown for this job
 */
public record EnqueueOutcome(@Nullable EnqueueResult result, @Nullable RuntimeException failure) {

    public EnqueueOutcome {
        if ((result == null) == (failure == null)) {
            throw new IllegalArgumentException("an enqueue outcome is a result or a failure, exactly one of them");
        }
    }

    public static EnqueueOutcome of(EnqueueResult result) {
        return new EnqueueOutcome(Objects.requireNonNull(result, "result"), null);
    }

    public static EnqueueOutcome failed(RuntimeException failure) {
        return new EnqueueOutcome(null, Objects.requireNonNull(failure, "failure"));
    }
}
