package dev.jobq;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A job's payload may be null wherever the API takes one, and says so: under {@code @NullMarked} a payload
 * parameter without {@link Nullable} tells Kotlin and nullness checkers that a job without a payload can be
 * enqueued but not scheduled, although the scheduler takes it (as {@code jobq schedule add} does without
 * {@code --payload}).
 */
class PayloadNullnessTest {

    @Test
    void schedulingTakesANullPayloadAsEnqueueingDoes() throws Exception {
        assertThat(payloadIsNullable(JobQueue.class.getMethod("enqueue", String.class, Object.class))).isTrue();
        assertThat(payloadIsNullable(JobQueue.class.getMethod("enqueue", String.class, Object.class,
                EnqueueOptions.class))).isTrue();
        assertThat(payloadIsNullable(Scheduler.class.getMethod("schedule", String.class, Object.class,
                Instant.class))).isTrue();
        assertThat(payloadIsNullable(Scheduler.class.getMethod("schedule", String.class, Object.class,
                Instant.class, EnqueueOptions.class))).isTrue();
    }

    private static boolean payloadIsNullable(Method method) {
        return method.getAnnotatedParameterTypes()[1].isAnnotationPresent(Nullable.class);
    }
}
