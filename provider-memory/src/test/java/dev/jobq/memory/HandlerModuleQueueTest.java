package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jobq.ConfigException;
import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Clock;
import java.time.Duration;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Handler modules registered by the builder, and run by a real worker. */
class HandlerModuleQueueTest {

    static final List<String> GREETED = new CopyOnWriteArrayList<>();

    /** Named in {@code src/test/resources/handler-modules/META-INF/services}. */
    public static final class Greetings implements JobHandlerModule {
        @Override
        public void register(JobHandlerRegistry registry) {
            registry.registerJobHandler("greet", String.class, (job, ctx) -> GREETED.add(job.payload()));
        }
    }

    private static ClassLoader withGreetingsService() {
        URL root = Objects.requireNonNull(HandlerModuleQueueTest.class.getResource("/handler-modules/"));
        return new URLClassLoader(new URL[] {root}, HandlerModuleQueueTest.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.startsWith("META-INF/services/dev.jobq.JobHandlerModule") ? findResources(name)
                        : super.getResources(name);
            }
        };
    }

    @Test
    void aModuleMissingAClassClosesTheQueueItWasBuildingAndNamesTheModule() {
        var closed = new AtomicBoolean();
        QueueProvider provider = new ForwardingQueueProvider(new MemoryProviderFactory().create(
                new ProviderContext("default", Settings.of("test", "provider", Map.of()), Clock.systemUTC()))) {
            @Override
            public void close() {
                closed.set(true);
                super.close();
            }
        };
        JobHandlerModule missingJar = registry -> {
            throw new NoClassDefFoundError("com/acme/mail/MailClient");
        };

        // Before, the Error left the builder as it was: the module unnamed, the providers never closed.
        assertThatThrownBy(() -> JobQueue.builder().provider(provider).handlerModules(missingJar).build())
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("handler module " + missingJar.getClass().getName());
        assertThat(closed).isTrue();
    }

    @Test
    void givenModulesHandlersRunOnTheWorker() {
        try (JobQueue jobs = JobQueue.builder().provider("memory").handlerModules(new Greetings()).build()) {
            jobs.start();
            jobs.enqueue("greet", "given");

            await().atMost(Duration.ofSeconds(10)).until(() -> GREETED.contains("given"));
            assertThat(jobs.registeredTypes()).containsExactly("greet");
        }
    }

    @Test
    void findHandlerModulesLoadsThemFromTheBuildersClassLoader() {
        try (JobQueue jobs = JobQueue.builder().provider("memory").classLoader(withGreetingsService())
                .findHandlerModules().build()) {
            assertThat(jobs.registeredTypes()).containsExactly("greet");
        }
    }

    @Test
    void withoutFindHandlerModulesNothingIsRegisteredUnasked() {
        try (JobQueue jobs = JobQueue.builder().provider("memory").classLoader(withGreetingsService()).build()) {
            assertThat(jobs.registeredTypes()).isEmpty();
        }
    }

    @Test
    void aModuleGivenAndFoundRegistersOnce() {
        try (JobQueue jobs = JobQueue.builder().provider("memory").classLoader(withGreetingsService())
                .handlerModules(new Greetings()).findHandlerModules().build()) {
            assertThat(jobs.registeredTypes()).containsExactly("greet");
        }
    }

    @Test
    void aTypeRegisteredByTwoModulesFailsTheBuild() {
        JobHandlerModule other = registry -> registry.registerJobHandler("greet", String.class, (job, ctx) -> { });

        assertThatThrownBy(() -> JobQueue.builder().provider("memory").environment(Map.of())
                .handlerModules(new Greetings(), other).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a handler for job type 'greet' is already registered");
    }
}
