package dev.jobq.cli.admin;

import dev.jobq.JobQueueBuilder;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueOptions;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.internal.config.ProviderSection;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.internal.runtime.HandlerRegistry;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * An operations command that opens the configured queue (never starting its worker or scheduler),
 * does one thing with it and closes it: {@link #run} is that thing.
 */
abstract class QueueCommand implements Callable<Integer> {

    private final CommandContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private QueueOptions queueOptions;

    QueueCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public final Integer call() throws Exception {
        try (QueueSetup setup = queueOptions.setup(context)) {
            checkInput(setup);
            SchedulerAccess.H2File missing = SchedulerAccess.missingH2File(setup);
            int status = call(setup);
            out().flush();
            if (status == 0) {
                SchedulerAccess.noteIfCreated(missing, err(), spec.qualifiedName());
            }
            return status;
        }
    }

    /**
     * Checks what the command was given, with the config file read and before anything connects: a bad value
     * is then a usage error (2) naming it even while a provider or the scheduler's database is out of reach,
     * not a failure to reach them (1). Checks nothing unless a command has more to check than picocli did.
     */
    void checkInput(QueueSetup setup) {
    }

    /**
     * For {@link #checkInput}: {@code type} as an enqueue checks it (not blank, at most 255 characters, no control
     * character), refused in its words as a usage error. Checked only by the open queue or scheduler, one such was
     * told as the provider or the database out of reach (exit 1) while they were, and as the type (exit 2) while not.
     */
    static void requireType(String type) {
        try {
            HandlerRegistry.requireType(type);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage(String.valueOf(e.getMessage()));
        }
    }

    /** Opens the queue, does the command's work with it and closes it; returns the exit status. */
    int call(QueueSetup setup) throws Exception {
        QueueSession session;
        try {
            session = open(setup);
        } catch (RuntimeException openingFailed) {
            String queue = queueNamed();
            if (queue != null) {
                ProviderAlone.section(setup, queue); // an unknown queue is what to fix: a usage error naming it
            }
            throw openingFailed;
        }
        try (session) {
            return run(setup, session);
        }
    }

    /**
     * The queue the command was told to use ({@code --queue}), or null. When the queue cannot be opened (a provider
     * or the scheduler's database out of reach), one the file does not configure is told as such (exit 2), not as
     * the failure to reach them (exit 1, which Restart=on-failure retries for ever). Checked only then: a queue a
     * test lends may have queues its file does not list, and the queue itself refuses an unknown one when open.
     */
    @Nullable String queueNamed() {
        return null;
    }

    /**
     * The queue the command's one job goes to ({@code --queue}, else the default queue: these commands register no
     * handler modules, so no type names one of its own), or null for a command that is not about one job.
     */
    @Nullable String jobQueue() {
        return null;
    }

    /**
     * Opens the queue of the file as it is; a command that needs less of it opens less. For a command about one job
     * ({@link #jobQueue}), every other queue of the file whose provider is not a memory one gets a memory provider in
     * its place: the job never goes there, and opening those providers failed the command (exit 1, naming that
     * queue) while one of them was out of reach (SQS down), though the job's own queue answered. The job's own queue
     * out of reach still fails it, naming the queue and its endpoint, after the provider's retries once.
     */
    QueueSession open(QueueSetup setup) {
        return open(setup, UnaryOperator.identity());
    }

    /** As {@link #open(QueueSetup)}, with what {@code customize} adds to the builder. */
    final QueueSession open(QueueSetup setup, UnaryOperator<JobQueueBuilder> customize) {
        String queue = jobQueue();
        Map<String, ProviderSection> sections = setup.config().providers();
        if (queue == null || !sections.containsKey(queue)
                || ProviderCatalog.load(setup.classLoader()).provider(MemoryQueueNote.MEMORY).isEmpty()) {
            return setup.open(customize);
        }
        return setup.open(builder -> {
            sections.forEach((name, section) -> {
                if (!name.equals(queue) && !MemoryQueueNote.MEMORY.equals(section.type())) {
                    builder.queue(name, MemoryQueueNote.MEMORY, Map.of());
                }
            });
            return customize.apply(builder);
        });
    }

    /** Does the command's work; returns the exit status. */
    abstract int run(QueueSetup setup, QueueSession session) throws Exception;

    CommandSpec spec() {
        return spec;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
