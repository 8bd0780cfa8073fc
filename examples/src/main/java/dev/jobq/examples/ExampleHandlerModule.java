package dev.jobq.examples;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;

/**
 * The example handlers as a {@link JobHandlerModule}, named in this jar's
 * {@code META-INF/services/dev.jobq.JobHandlerModule}: a queue built with
 * {@code findHandlerModules()}, or {@code jobq run --handlers DIR} with this jar in {@code DIR},
 * runs the {@link DemoHandlers#TYPES}. The shaded {@code jobq.jar} carries these classes for
 * {@code jobq demo} but leaves this module out of its services, so a production worker never runs
 * the examples by accident.
 */
public final class ExampleHandlerModule implements JobHandlerModule {

    /** For {@link java.util.ServiceLoader}. */
    public ExampleHandlerModule() {
    }

    @Override
    public void register(JobHandlerRegistry registry) {
        DemoHandlers.registerAll(registry);
    }
}
