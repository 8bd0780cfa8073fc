package dev.jobq.cli.context;

import dev.jobq.JobQueue;
import dev.jobq.JobQueueBuilder;
import dev.jobq.internal.config.JobQueueConfig;
import dev.jobq.spi.UntrustedText;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A checked config file with the class loader to build its queue with. Closing it closes the
 * {@code --handlers} class loader, so it outlives every queue opened from it.
 *
 * <p>While it is open, that class loader is also the command thread's context class loader, and so
 * the one of every thread the queue starts from it (poll loops, handlers, the scheduler): libraries
 * that look things up through the context class loader (ServiceLoader.load, JDBC drivers, resources,
 * Jackson modules) would otherwise not see a {@code --handlers} jar, though its handlers run in it.
 */
public final class QueueSetup implements AutoCloseable {

    private final CommandContext context;
    private final Path configFile;
    private final String configArgument;
    private final JobQueueConfig config;
    private final ClassLoader classLoader;
    private final @Nullable HandlerJars jars;
    private final @Nullable ClassLoader outerContextLoader;

    QueueSetup(CommandContext context, Path configFile, String configArgument, JobQueueConfig config,
               ClassLoader classLoader, @Nullable HandlerJars jars) {
        this.context = context;
        this.configFile = configFile;
        this.configArgument = configArgument;
        this.config = config;
        this.classLoader = classLoader;
        this.jars = jars;
        this.outerContextLoader = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(classLoader);
    }

    public Path configFile() {
        return configFile;
    }

    /**
     * {@link #configFile} as a message or a line of output repeats it: escaped, as the loader's problems show it (a
     * newline in the path, from {@code "$(cat where)"}, split the line; an ESC repainted the terminal).
     */
    public String configFileShown() {
        return UntrustedText.escape(configFile.toString());
    }

    /**
     * The {@code --config} given, for a command that a message advises: {@code --config FILE } with FILE a shell word
     * and a space after it, or empty without {@code --config}.
     */
    public String configArgument() {
        return configArgument;
    }

    /** The file as read, with the environment's overrides; what the builder then sets in code is not in it. */
    public JobQueueConfig config() {
        return config;
    }

    public ClassLoader classLoader() {
        return classLoader;
    }

    /** The jars of {@code --handlers}, empty without it. */
    public List<Path> handlerJars() {
        return jars != null ? jars.jars() : List.of();
    }

    /** Opens the queue of the file; {@code customize} adds what the command needs to the builder. */
    public QueueSession open(UnaryOperator<JobQueueBuilder> customize) {
        JobQueueBuilder builder = JobQueue.builder()
                .config(configFile)
                .environment(context.environment())
                .classLoader(classLoader);
        return context.opener().open(customize.apply(builder));
    }

    /** Opens the queue of the file as it is. */
    public QueueSession open() {
        return open(UnaryOperator.identity());
    }

    @Override
    public void close() {
        Thread.currentThread().setContextClassLoader(outerContextLoader);
        if (jars != null) {
            jars.close();
        }
    }
}
