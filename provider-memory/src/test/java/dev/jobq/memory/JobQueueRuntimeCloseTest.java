package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueBuilder;
import dev.jobq.JobQueueException;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What close() logs of the parts it closes. */
class JobQueueRuntimeCloseTest {

    static final NoClassDefFoundError CLOSE_ERROR = new NoClassDefFoundError("com/example/PoolShutdown");
    static final AtomicBoolean RECORDED_CLOSED = new AtomicBoolean();

    /** Provider type "error-on-close" (closing-providers/): its close() throws {@link #CLOSE_ERROR}. */
    public static final class ErrorOnCloseFactory implements QueueProviderFactory {
        @Override
        public String type() {
            return "error-on-close";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            return new ForwardingQueueProvider(memory(context.queueName())) {
                @Override
                public void close() {
                    super.close();
                    throw CLOSE_ERROR;
                }
            };
        }
    }

    /** Provider type "records-close": its close() sets {@link #RECORDED_CLOSED}. */
    public static final class RecordsCloseFactory implements QueueProviderFactory {
        @Override
        public String type() {
            return "records-close";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            return new ForwardingQueueProvider(memory(context.queueName())) {
                @Override
                public void close() {
                    super.close();
                    RECORDED_CLOSED.set(true);
                }
            };
        }
    }

    /** Provider type "fails-to-create": create() throws, failing the build after the providers before it. */
    public static final class FailsToCreateFactory implements QueueProviderFactory {
        @Override
        public String type() {
            return "fails-to-create";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new IllegalStateException("cannot reach the broker");
        }
    }

    @Test
    @DisplayName("a provider whose close() fails is named with its queue's name escaped: a U+202E in it reversed the "
            + "rest of the WARN line, the one place a queue's name was still logged raw")
    void aProviderWhoseCloseFailsIsNamedWithItsQueueEscaped() {
        String name = "bills\u202Efdp.exe";
        QueueProvider memory = new MemoryProviderFactory().create(
                new ProviderContext(name, Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
        QueueProvider failingClose = new ForwardingQueueProvider(memory) {
            @Override
            public void close() {
                super.close();
                throw new IllegalStateException("connection pool already shut down");
            }
        };
        JobQueue jobs = JobQueue.builder().queue(name, failingClose).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            jobs.close();
            assertThat(log.warnings()).containsExactly("closing the provider of queue 'bills\\u202efdp.exe' failed");
        }
    }

    /**
     * A provider's exception as a third party's may be: its getMessage() and toString() throw (a message built from a
     * pool that is shut down by now).
     */
    private static RuntimeException unreadable() {
        return new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("pool shut down");
            }

            @Override
            public String toString() {
                throw new UnsupportedOperationException("pool shut down");
            }
        };
    }

    /** A provider's exception with a line break, an ESC and 100,000 characters in its message. */
    private static RuntimeException flooding() {
        return new IllegalStateException("pool gone\nERROR forged \u001b[31m" + "x".repeat(100_000));
    }

    /** A memory provider of queue {@code name} whose close() closes it, then throws {@code thrown}. */
    private static QueueProvider closeThrowing(String name, RuntimeException thrown) {
        return new ForwardingQueueProvider(memory(name)) {
            @Override
            public void close() {
                super.close();
                throw thrown;
            }
        };
    }

    private static QueueProvider memory(String name) {
        return new MemoryProviderFactory().create(
                new ProviderContext(name, Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
    }

    /** The WARN's trace, as the log takes it: bounded, and each message of it readable. */
    private static void assertBoundedTrace(ILoggingEvent warning) {
        for (IThrowableProxy t = warning.getThrowableProxy(); t != null; t = t.getCause()) {
            assertThat(t.getMessage()).as("a message of the WARN's trace").hasSizeLessThan(7_000);
        }
    }

    @Test
    @DisplayName("a provider whose close() throws an exception whose getMessage() throws: close() still closes the "
            + "providers after it and returns, the WARN logged")
    void aProviderCloseWhoseExceptionCannotBeReadDoesNotStopTheClose() {
        var secondClosed = new AtomicBoolean();
        QueueProvider second = new ForwardingQueueProvider(memory("reports")) {
            @Override
            public void close() {
                super.close();
                secondClosed.set(true);
            }
        };
        JobQueue jobs = JobQueue.builder().queue("default", closeThrowing("default", unreadable()))
                .queue("reports", second).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            assertThatCode(jobs::close).doesNotThrowAnyException();
            assertThat(log.warnings()).containsExactly("closing the provider of queue 'default' failed");
        }
        assertThat(secondClosed).as("the provider of queue 'reports' closed").isTrue();
    }

    @Test
    @DisplayName("a provider whose close() throws an exception whose getMessage() runs out of memory: close() still "
            + "closes the providers after it and returns, the WARN naming the exception and what its message threw")
    void aProviderCloseWhoseExceptionsMessageRunsOutOfMemoryDoesNotStopTheClose() {
        var secondClosed = new AtomicBoolean();
        QueueProvider second = new ForwardingQueueProvider(memory("reports")) {
            @Override
            public void close() {
                super.close();
                secondClosed.set(true);
            }
        };
        RuntimeException outOfMemory = new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        JobQueue jobs = JobQueue.builder().queue("default", closeThrowing("default", outOfMemory))
                .queue("reports", second).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            // Before, the OutOfMemoryError the log-safe copy handed on went out of close(), past the other providers
            assertThatCode(jobs::close).doesNotThrowAnyException();
            assertThat(log.warnings()).containsExactly("closing the provider of queue 'default' failed: "
                    + outOfMemory.getClass().getName() + " (its getMessage() threw OutOfMemoryError)");
        }
        assertThat(secondClosed).as("the provider of queue 'reports' closed").isTrue();
    }

    @Test
    @DisplayName("a provider whose close() throws an Error (a class it needs gone by now): close() still closes the "
            + "providers after it and returns, the WARN logged")
    void aProviderCloseThrowingAnErrorDoesNotStopTheClose() {
        var secondClosed = new AtomicBoolean();
        QueueProvider second = new ForwardingQueueProvider(memory("reports")) {
            @Override
            public void close() {
                super.close();
                secondClosed.set(true);
            }
        };
        QueueProvider first = new ForwardingQueueProvider(memory("default")) {
            @Override
            public void close() {
                super.close();
                throw new NoClassDefFoundError("com/example/PoolShutdown");
            }
        };
        JobQueue jobs = JobQueue.builder().queue("default", first).queue("reports", second).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            // Before, close() caught Exception only: the Error went out of it, past the provider of 'reports'
            assertThatCode(jobs::close).doesNotThrowAnyException();
            assertThat(log.warnings()).containsExactly("closing the provider of queue 'default' failed");
        }
        assertThat(secondClosed).as("the provider of queue 'reports' closed").isTrue();
    }

    @Test
    @DisplayName("a provider whose close() runs out of memory: close() closes the providers after it, then throws "
            + "that OutOfMemoryError on")
    void aProviderCloseRunningOutOfMemoryIsHandedOnOnceTheOthersAreClosed() {
        var secondClosed = new AtomicBoolean();
        QueueProvider second = new ForwardingQueueProvider(memory("reports")) {
            @Override
            public void close() {
                super.close();
                secondClosed.set(true);
            }
        };
        var outOfMemory = new OutOfMemoryError("Java heap space");
        QueueProvider first = new ForwardingQueueProvider(memory("default")) {
            @Override
            public void close() {
                super.close();
                throw outOfMemory;
            }
        };
        JobQueue jobs = JobQueue.builder().queue("default", first).queue("reports", second).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            assertThatThrownBy(jobs::close).isSameAs(outOfMemory);
            assertThat(log.warnings()).containsExactly("closing the provider of queue 'default' failed");
        }
        assertThat(secondClosed).as("the provider of queue 'reports' closed").isTrue();
    }

    @Test
    @DisplayName("a provider whose close() throws with 100,000 characters in the message: the WARN's trace is bounded")
    void aProviderClosesLongMessageIsBoundedInTheWarning() {
        JobQueue jobs = JobQueue.builder().queue("default", closeThrowing("default", flooding())).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            jobs.close();
            assertThat(log.warnings()).containsExactly("closing the provider of queue 'default' failed");
            assertBoundedTrace(log.list.get(0));
        }
    }

    @Test
    @DisplayName("a scheduler whose stopFiring() and close() throw exceptions whose getMessage() throws: close() "
            + "still closes the providers and returns, both WARNs logged")
    void aSchedulerWhoseExceptionsCannotBeReadDoesNotStopTheClose() {
        var providerClosed = new AtomicBoolean();
        QueueProvider provider = new ForwardingQueueProvider(memory("default")) {
            @Override
            public void close() {
                super.close();
                providerClosed.set(true);
            }
        };
        StubScheduler scheduler = new StubScheduler() {
            @Override
            public void stopFiring() {
                throw unreadable();
            }

            @Override
            public void close() {
                throw unreadable();
            }
        };
        JobQueue jobs = JobQueue.builder().provider(provider).scheduler(context -> scheduler).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            assertThatCode(jobs::close).doesNotThrowAnyException();
            assertThat(log.warnings()).containsExactly(
                    "stopping the scheduler's firing failed; it stops when it is closed",
                    "closing the scheduler failed");
        }
        assertThat(providerClosed).as("the provider closed").isTrue();
    }

    @Test
    @DisplayName("a scheduler whose stopFiring() throws an Error (a class it needs gone): close() still closes the "
            + "scheduler and the providers and returns, the WARN logged")
    void aSchedulerStopFiringThrowingAnErrorDoesNotStopTheClose() {
        var providerClosed = new AtomicBoolean();
        var schedulerClosed = new AtomicBoolean();
        QueueProvider provider = new ForwardingQueueProvider(memory("default")) {
            @Override
            public void close() {
                super.close();
                providerClosed.set(true);
            }
        };
        StubScheduler scheduler = new StubScheduler() {
            @Override
            public void stopFiring() {
                throw new NoClassDefFoundError("com/example/Trigger");
            }

            @Override
            public void close() {
                schedulerClosed.set(true);
            }
        };
        JobQueue jobs = JobQueue.builder().provider(provider).scheduler(context -> scheduler).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            // Before, stopFiringQuietly caught RuntimeException only: the Error went out of close() before it closed
            // anything, the scheduler and the provider left open
            assertThatCode(jobs::close).doesNotThrowAnyException();
            assertThat(log.warnings()).containsExactly(
                    "stopping the scheduler's firing failed; it stops when it is closed");
        }
        assertThat(schedulerClosed).as("the scheduler closed").isTrue();
        assertThat(providerClosed).as("the provider closed").isTrue();
    }

    @Test
    @DisplayName("an action run after close() that throws an Error (a LinkageError of a metrics binder): the actions "
            + "after it still run, close() returns, and the caller's interrupt flag is set again")
    void anAfterCloseActionThrowingAnErrorDoesNotStopTheOthers() {
        var secondRan = new AtomicBoolean();
        var runtime = (JobQueueRuntime) JobQueue.builder().provider(memory("default")).build();
        runtime.afterClose(() -> {
            throw new LinkageError("loader constraint violation");
        });
        runtime.afterClose(() -> secondRan.set(true));

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            Thread.currentThread().interrupt();
            // Before, runAfterClose caught RuntimeException only: the Error went out of close(), past the second
            // action and past setting the interrupt flag again
            assertThatCode(runtime::close).doesNotThrowAnyException();
            assertThat(Thread.interrupted()).as("the caller's interrupt flag set again").isTrue();
            assertThat(log.warnings()).containsExactly("an action run after the queue closed failed");
        }
        assertThat(secondRan).as("the second action ran").isTrue();
    }

    @Test
    @DisplayName("an action run after close() that throws an exception whose getMessage() throws: the actions after "
            + "it still run, and close() returns")
    void anAfterCloseActionWhoseExceptionCannotBeReadDoesNotStopTheOthers() {
        var secondRan = new AtomicBoolean();
        var runtime = (JobQueueRuntime) JobQueue.builder().provider(memory("default")).build();
        runtime.afterClose(() -> {
            throw unreadable();
        });
        runtime.afterClose(() -> secondRan.set(true));

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            assertThatCode(runtime::close).doesNotThrowAnyException();
            assertThat(log.warnings()).containsExactly("an action run after the queue closed failed");
        }
        assertThat(secondRan).as("the second action ran").isTrue();
    }

    @Test
    @DisplayName("a provider given to the builder and replaced, whose close() throws an exception whose getMessage() "
            + "throws: build() still builds the queue, the WARN logged")
    void aReplacedProviderWhoseCloseExceptionCannotBeReadDoesNotFailTheBuild() throws Exception {
        JobQueueBuilder builder = JobQueue.builder().queue("default", closeThrowing("default", unreadable()))
                .queue("default", memory("default"));

        try (CapturedLog log = CapturedLog.of(JobQueueBuilder.class)) {
            try (JobQueue jobs = builder.build()) {
                assertThat(jobs).isNotNull();
            }
            assertThat(log.warnings()).singleElement().asString()
                    .startsWith("closing a provider given to JobQueueBuilder and replaced since (")
                    .endsWith(") failed");
        }
    }

    @Test
    @DisplayName("a provider given to the builder and replaced, whose close() throws an exception whose getMessage() "
            + "runs out of memory: build() still returns the queue, the WARN naming the exception")
    void aReplacedProviderWhoseCloseExceptionsMessageRunsOutOfMemoryDoesNotFailTheBuild() {
        RuntimeException outOfMemory = new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        JobQueueBuilder builder = JobQueue.builder().queue("default", closeThrowing("default", outOfMemory))
                .queue("default", memory("default"));

        try (CapturedLog log = CapturedLog.of(JobQueueBuilder.class)) {
            // Before, the OutOfMemoryError the log-safe copy handed on went out of build(), the queue built and open
            var built = new AtomicReference<JobQueue>();
            assertThatCode(() -> built.set(builder.build())).doesNotThrowAnyException();
            built.get().close();
            assertThat(log.warnings()).singleElement().asString()
                    .startsWith("closing a provider given to JobQueueBuilder and replaced since (")
                    .endsWith(") failed: " + outOfMemory.getClass().getName()
                            + " (its getMessage() threw OutOfMemoryError)");
        }
    }

    @Test
    @DisplayName("a provider given to the builder and replaced, whose close() throws an Error (a class it needs gone): "
            + "build() still returns the queue, the WARN logged")
    void aReplacedProviderWhoseCloseThrowsAnErrorDoesNotFailTheBuild() {
        QueueProvider replaced = new ForwardingQueueProvider(memory("default")) {
            @Override
            public void close() {
                super.close();
                throw new NoClassDefFoundError("com/example/PoolShutdown");
            }
        };
        JobQueueBuilder builder = JobQueue.builder().queue("default", replaced).queue("default", memory("default"));

        try (CapturedLog log = CapturedLog.of(JobQueueBuilder.class)) {
            // Before, build() caught RuntimeException only: the Error went out of it, the queue built and open
            var built = new AtomicReference<JobQueue>();
            assertThatCode(() -> built.set(builder.build())).doesNotThrowAnyException();
            built.get().close();
            assertThat(log.warnings()).singleElement().asString()
                    .startsWith("closing a provider given to JobQueueBuilder and replaced since (")
                    .endsWith(") failed");
        }
    }

    @Test
    @DisplayName("two providers given to the builder and replaced, the first's close() running out of memory: build() "
            + "still closes the second and logs the first, then throws that OutOfMemoryError on")
    void aReplacedProviderRunningOutOfMemoryStillClosesTheOtherReplaced() {
        var outOfMemory = new OutOfMemoryError("Java heap space");
        QueueProvider first = new ForwardingQueueProvider(memory("default")) {
            @Override
            public void close() {
                super.close();
                throw outOfMemory;
            }
        };
        var secondClosed = new AtomicBoolean();
        QueueProvider second = new ForwardingQueueProvider(memory("default")) {
            @Override
            public void close() {
                super.close();
                secondClosed.set(true);
            }
        };
        JobQueueBuilder builder = JobQueue.builder().queue("default", first).queue("default", second)
                .queue("default", memory("default"));

        try (CapturedLog log = CapturedLog.of(JobQueueBuilder.class)) {
            // Before, the OutOfMemoryError went out of the loop at once: the second replaced provider left open, the
            // first's failure not logged
            assertThatThrownBy(builder::build).isSameAs(outOfMemory);
            assertThat(log.warnings()).singleElement().asString()
                    .isEqualTo("closing a provider given to JobQueueBuilder and replaced since ("
                            + first.getClass().getName() + ") failed");
        }
        assertThat(secondClosed).as("the second replaced provider closed").isTrue();
    }

    @Test
    @DisplayName("a build that fails after providers made from config, the first's close() throwing an Error: build() "
            + "throws its own error, the Error suppressed in it, and still closes the providers after it")
    void aConfiguredProviderWhoseCloseThrowsAnErrorInAFailedBuild() {
        RECORDED_CLOSED.set(false);
        ClassLoader withClosing = new URLClassLoader(new URL[] {Objects.requireNonNull(
                getClass().getResource("/closing-providers/"))}, getClass().getClassLoader());

        // Before, closeAfterFailure caught Exception only: the Error went out of build() in place of its own error,
        // past the provider of 'reports'
        assertThatThrownBy(() -> JobQueue.builder().classLoader(withClosing).environment(Map.of())
                .queue("default", "error-on-close", Map.of()).queue("reports", "records-close", Map.of())
                .queue("mail", "fails-to-create", Map.of()).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot reach the broker")
                .satisfies(thrown -> assertThat(thrown.getSuppressed()).containsExactly(CLOSE_ERROR));
        assertThat(RECORDED_CLOSED).as("the provider of queue 'reports' closed").isTrue();
    }

    @Test
    @DisplayName("a build that fails, one of whose given providers' close() throws an Error: build() throws its own "
            + "error, the Error suppressed in it, and still closes the other providers")
    void aGivenProviderWhoseCloseThrowsAnErrorInAFailedBuild() {
        var secondClosed = new AtomicBoolean();
        var error = new NoClassDefFoundError("com/example/PoolShutdown");
        QueueProvider first = new ForwardingQueueProvider(memory("default")) {
            @Override
            public void close() {
                super.close();
                throw error;
            }
        };
        QueueProvider second = new ForwardingQueueProvider(memory("reports")) {
            @Override
            public void close() {
                super.close();
                secondClosed.set(true);
            }
        };

        // Before, closing the given providers caught RuntimeException only: the Error went out of build() in place of
        // the build's own error, past the provider of 'reports'
        assertThatThrownBy(() -> JobQueue.builder().queue("default", first).queue("reports", second)
                .scheduler(context -> null).build())
                .isInstanceOf(JobQueueException.class)
                .satisfies(thrown -> assertThat(thrown.getSuppressed()).containsExactly(error));
        assertThat(secondClosed).as("the provider of queue 'reports' closed").isTrue();
    }
}
