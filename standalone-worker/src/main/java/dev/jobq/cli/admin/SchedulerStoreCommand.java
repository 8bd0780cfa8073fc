package dev.jobq.cli.admin;

import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueOptions;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.spi.JobScheduler;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * An operations command that works on the scheduler's store alone ({@link SchedulerAccess#openStore}):
 * it opens no queue provider, so it works with only the scheduler's database reachable. For commands
 * that list, cancel, enable, disable or delete; adding a job checks it against its queue, and so opens
 * the queue ({@link QueueCommand}).
 */
abstract class SchedulerStoreCommand implements Callable<Integer> {

    private final CommandContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private QueueOptions queueOptions;

    private String configArgument = "";

    SchedulerStoreCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public final Integer call() throws Exception {
        try (QueueSetup setup = queueOptions.setup(context); JobScheduler scheduler = SchedulerAccess.openStore(setup)) {
            configArgument = setup.configArgument();
            int status = run(scheduler);
            out().flush();
            return status;
        }
    }

    /** Does the command's work; returns the exit status. */
    abstract int run(JobScheduler scheduler) throws Exception;

    /**
     * {@code jobq COMMAND} with the {@code --config} given ({@link QueueSetup#configArgument}), as a refusal points
     * to it: without it, pasted, it read {@code ./jobq.yaml}, another database than the one that refused.
     */
    String advised(String command) {
        return ("jobq " + command + " " + configArgument).stripTrailing();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
