package dev.jobq.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobQueue;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ExampleHandlerModuleTest {

    @Test
    void isNamedInTheServicesFile() {
        assertThat(ServiceLoader.load(JobHandlerModule.class).stream().map(ServiceLoader.Provider::type))
                .contains(ExampleHandlerModule.class);
    }

    @Test
    void aQueueThatFindsModulesHasEveryExampleType() {
        try (JobQueue jobs = JobQueue.builder().provider("memory").findHandlerModules().build()) {
            assertThat(jobs.registeredTypes()).containsExactlyInAnyOrderElementsOf(DemoHandlers.TYPES);
        }
    }
}
