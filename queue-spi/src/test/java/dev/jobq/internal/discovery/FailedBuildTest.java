package dev.jobq.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueue;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** What a JobQueue build that fails while it creates providers leaves behind: nothing open. */
class FailedBuildTest {

    /** Loads classes as the test does, but lists service files from one test resource folder only. */
    private static ClassLoader servicesOf(String name) {
        URL root = Objects.requireNonNull(FailedBuildTest.class.getResource("/provider-catalogs/" + name + "/"));
        return new URLClassLoader(new URL[] {root}, FailedBuildTest.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String resource) throws IOException {
                return resource.startsWith("META-INF/services/") ? findResources(resource) : super.getResources(resource);
            }
        };
    }

    @Test
    void aProviderWhoseCreateFailsWithAnErrorLeavesNoProviderCreatedBeforeItOpen() {
        int created = TestFactories.CREATED.get();
        int closed = TestFactories.CLOSED.get();
        var builder = JobQueue.builder().classLoader(servicesOf("init-fails"))
                .provider("recording", Map.of()).queue("reports", "init-fails", Map.of());

        assertThatThrownBy(builder::build).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(TestFactories.CREATED.get() - created).isEqualTo(1);
        assertThat(TestFactories.CLOSED.get() - closed)
                .as("the default queue's provider, created before the failure, is closed").isEqualTo(1);
    }
}
