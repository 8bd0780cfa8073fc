package dev.jobq.internal.discovery;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jobq.HandlerOptions;
import dev.jobq.JobHandler;
import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Handler modules named only in {@code src/test/resources/handler-modules/NAME/META-INF/services}. */
final class TestModules {

    private TestModules() {
    }

    public static final class Billing implements JobHandlerModule {
        @Override
        public void register(JobHandlerRegistry registry) {
            registry.registerJobHandler("invoice:send", String.class, (job, ctx) -> { });
            registry.registerJobHandler("invoice:void", String.class, (job, ctx) -> { });
        }
    }

    public static final class Mail implements JobHandlerModule {
        @Override
        public void register(JobHandlerRegistry registry) {
            registry.registerJobHandler("email:send", String.class, (job, ctx) -> { });
        }
    }

    /** Registers a type {@link Mail} registers too. */
    public static final class MoreMail implements JobHandlerModule {
        @Override
        public void register(JobHandlerRegistry registry) {
            registry.registerJobHandler("email:send", String.class, (job, ctx) -> { });
        }
    }

    /** A module whose constructor throws an exception whose causes loop back to it. */
    public static final class CyclicFailure implements JobHandlerModule {
        public CyclicFailure() {
            var outer = new IllegalStateException("settings unreadable");
            var inner = new RuntimeException("vault sealed", outer);
            outer.initCause(inner);
            throw outer;
        }

        @Override
        public void register(JobHandlerRegistry registry) {
        }
    }

    /**
     * A module whose constructor throws an adapter whose getCause() wraps what it adapts anew at each call, 200,000
     * deep (standing in for endless); {@link #MADE} counts the causes made.
     */
    public static final class EndlessCause implements JobHandlerModule {
        static final AtomicInteger MADE = new AtomicInteger();

        public EndlessCause() {
            throw new MadeOnRead(0);
        }

        @Override
        public void register(JobHandlerRegistry registry) {
        }

        private static final class MadeOnRead extends RuntimeException {
            private final int level;

            MadeOnRead(int level) {
                super("level " + level, null, false, false);
                this.level = level;
            }

            @Override
            public synchronized Throwable getCause() {
                if (level >= 200_000) {
                    return null;
                }
                MADE.incrementAndGet();
                return new MadeOnRead(level + 1);
            }
        }
    }

    /** A module whose constructor throws an exception of an anonymous class, which has no simple name. */
    public static final class AnonymousFailure implements JobHandlerModule {
        public AnonymousFailure() {
            throw new IllegalStateException("vault sealed") { };
        }

        @Override
        public void register(JobHandlerRegistry registry) {
        }
    }

    /** A module whose constructor throws an exception whose message cannot be read, and says so on two lines. */
    public static final class UnreadableFailure implements JobHandlerModule {
        public UnreadableFailure() {
            throw new IllegalStateException() {
                @Override
                public String getMessage() {
                    throw new UnsupportedOperationException("session closed\nINFO forged");
                }
            };
        }

        @Override
        public void register(JobHandlerRegistry registry) {
        }
    }

    /** A module whose constructor throws an exception whose cause cannot be read. */
    public static final class UnreadableCause implements JobHandlerModule {
        public UnreadableCause() {
            throw new IllegalStateException("settings unreadable") {
                @Override
                public synchronized Throwable getCause() {
                    throw new UnsupportedOperationException("session closed");
                }
            };
        }

        @Override
        public void register(JobHandlerRegistry registry) {
        }
    }

    /** A module ServiceLoader cannot create: its one constructor takes an argument. */
    public static final class NeedsSettings implements JobHandlerModule {
        public NeedsSettings(String settings) {
        }

        @Override
        public void register(JobHandlerRegistry registry) {
        }
    }

    /** A module ServiceLoader cannot create: neither the class nor its constructor is public. */
    static final class PackagePrivate implements JobHandlerModule {
        @Override
        public void register(JobHandlerRegistry registry) {
        }
    }

    /** Named in a service file of handler modules, but not one. */
    public static final class NotAModule {
    }

    /** A base class a module extends; {@link HandlerModulesTest} hides it, as a jar left out would. */
    public abstract static class MissingModuleBase implements JobHandlerModule {
    }

    /** A module whose base class cannot be found: it cannot even be linked. */
    public static final class Unlinkable extends MissingModuleBase {
        @Override
        public void register(JobHandlerRegistry registry) {
        }
    }

    /** A registry that keeps types, failing on a second registration like the queue's. */
    static final class TypesOnly implements JobHandlerRegistry {
        final TreeMap<String, Object> handlers = new TreeMap<>();

        @Override
        public <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler) {
            if (handlers.putIfAbsent(type, handler) != null) {
                throw new IllegalStateException("a handler for job type '" + type + "' is already registered");
            }
        }

        @Override
        public <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler) {
            registerJobHandler(type, Object.class, (JobHandler<Object>) (JobHandler<?>) handler);
        }

        @Override
        public <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler, HandlerOptions options) {
            registerJobHandler(type, payloadType, handler);
        }

        @Override
        public <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler,
                                           HandlerOptions options) {
            registerJobHandler(type, payloadType, handler);
        }

        @Override
        public Set<String> registeredTypes() {
            return Set.copyOf(handlers.keySet());
        }
    }
}
