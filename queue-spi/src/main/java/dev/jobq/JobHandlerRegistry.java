package dev.jobq;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Set;

/**
 * Where job handlers are registered by job type: a {@link JobQueue}, or what a
 * {@link JobHandlerModule} is given. Each type has at most one handler; registering a type twice
 * throws {@link IllegalStateException} naming the type and the handler already there. A blank type, one
 * longer than the 255 characters {@link JobQueue#enqueue} takes, or one with a control character, is refused with
 * {@link IllegalArgumentException}, a null payload type, handler or options with
 * {@link NullPointerException} naming it; on a {@link JobQueue}, so are {@link HandlerOptions} naming a
 * queue it does not have ({@link IllegalArgumentException}), and every registration once it is closed
 * ({@link JobQueueException}). Thread-safe.
 */
public interface JobHandlerRegistry {

    /** Registers the handler of {@code type}; payloads bind to {@code payloadType} with Jackson. */
    <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler);

    /**
     * As {@link #registerJobHandler(String, Class, JobHandler)} for generic payloads
     * ({@code new TypeReference<List<Order>>() { }}). The reference must name its types: one made inside a
     * generic method ({@code new TypeReference<List<T>>() { }}) is refused, Java having erased {@code T}.
     */
    <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler);

    /**
     * As {@link #registerJobHandler(String, Class, JobHandler)} with this type's own defaults: attempts,
     * timeout and queue for its jobs whose enqueue leaves them unset, and its retry backoff
     * ({@link HandlerOptions}).
     */
    <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler, HandlerOptions options);

    /** As {@link #registerJobHandler(String, TypeReference, JobHandler)} with this type's own defaults. */
    <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler,
                                HandlerOptions options);

    /** As {@link #registerJobHandler(String, Class, JobHandler)} with this type's own retry backoff. */
    default <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler, Backoff backoff) {
        registerJobHandler(type, payloadType, handler, HandlerOptions.defaults().backoff(backoff));
    }

    /** As {@link #registerJobHandler(String, TypeReference, JobHandler)} with this type's own retry backoff. */
    default <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler,
                                        Backoff backoff) {
        registerJobHandler(type, payloadType, handler, HandlerOptions.defaults().backoff(backoff));
    }

    /** The job types with a handler so far: an unmodifiable copy, in the order of their names. */
    Set<String> registeredTypes();
}
