package dev.jobq;

/**
 * A set of job handlers packaged with the code they need, so that the application and a standalone
 * {@code jobq run} worker register the very same handlers. Implement it in the jar that holds the
 * handlers and name the class in {@code META-INF/services/dev.jobq.JobHandlerModule}:
 *
 * <pre>{@code
 * public final class BillingHandlers implements JobHandlerModule {
 *     public void register(JobHandlerRegistry registry) {
 *         registry.registerJobHandler("invoice:send", Invoice.class, new InvoiceSender());
 *     }
 * }
 * }</pre>
 *
 * <p>Modules are loaded with {@link java.util.ServiceLoader} only when asked: in code with
 * {@link JobQueueBuilder#findHandlerModules()} (or given explicitly with
 * {@link JobQueueBuilder#handlerModules(JobHandlerModule...)}), and always by {@code jobq run},
 * from its class path and from the jars in its {@code --handlers} directory. Implementations need
 * a public no-argument constructor. {@link #register} is called once per queue built, before the
 * queue is returned; handlers it registers must be thread-safe like any other handler.
 */
@FunctionalInterface
public interface JobHandlerModule {

    /** Registers this module's handlers; a type registered twice (here or by another module) fails the build. */
    void register(JobHandlerRegistry registry);
}
