package dev.jobq.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueOptions;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobq schedule list|add|cancel}: one-time jobs held by the scheduler until their instant. */
@Command(name = "schedule",
        mixinStandardHelpOptions = true,
        description = "Lists, adds and cancels jobs the scheduler holds until an instant.",
        subcommands = {ScheduleCommand.ListScheduled.class, ScheduleCommand.Add.class, ScheduleCommand.Cancel.class})
public final class ScheduleCommand implements Callable<Integer> {

    static final int DEFAULT_LIMIT = 100;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing a subcommand: list, add or cancel");
    }

    /** {@code jobq schedule list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists waiting jobs, earliest first.")
    static final class ListScheduled implements Callable<Integer> {
        private final CommandContext context;
        @Spec
        private CommandSpec spec;
        @Mixin
        private QueueOptions queueOptions;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
                description = "At most N jobs (default: ${DEFAULT-VALUE}).")
        private int limit;

        ListScheduled(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit must be ≥ 1, got " + limit);
            }
            try (QueueSetup setup = queueOptions.setup(context); QueueSession session = setup.open()) {
                var table = new Table("ID", "TYPE", "QUEUE", "SCHEDULED_FOR", "STATUS");
                for (ScheduledJobInfo job : SchedulerAccess.require(setup, session).listScheduled(limit)) {
                    table.row(job.id(), job.type(), job.queue(), job.scheduledFor(), job.status());
                }
                table.print(spec.commandLine().getOut());
                return 0;
            }
        }
    }

    /** {@code jobq schedule add TYPE --at INSTANT --payload JSON}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Holds a job until an instant, then enqueues it; prints its id.")
    static final class Add implements Callable<Integer> {
        private final CommandContext context;
        @Spec
        private CommandSpec spec;
        @Mixin
        private QueueOptions queueOptions;
        @Mixin
        private JobOptionsMixin jobOptions;
        @Parameters(index = "0", paramLabel = "TYPE", description = "The job type.")
        private String type;
        @Option(names = "--at", required = true, paramLabel = "INSTANT", converter = Arguments.InstantArgument.class,
                description = "When to enqueue it, e.g. 2026-12-25T09:00:00Z.")
        private Instant at;
        @Option(names = "--payload", required = true, paramLabel = "JSON", converter = Arguments.JsonArgument.class,
                description = "The payload as JSON.")
        private JsonNode payload;

        Add(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            try (QueueSetup setup = queueOptions.setup(context); QueueSession session = setup.open()) {
                String id = SchedulerAccess.require(setup, session).schedule(type, payload, at, jobOptions.toBuilder().build());
                spec.commandLine().getOut().println(id);
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }

    /** {@code jobq schedule cancel ID}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a job still waiting.")
    static final class Cancel implements Callable<Integer> {
        private final CommandContext context;
        @Spec
        private CommandSpec spec;
        @Mixin
        private QueueOptions queueOptions;
        @Parameters(index = "0", paramLabel = "ID", description = "The scheduled job's id.")
        private String id;

        Cancel(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            try (QueueSetup setup = queueOptions.setup(context); QueueSession session = setup.open()) {
                if (!SchedulerAccess.require(setup, session).cancel(id)) {
                    throw CommandFailure.failed("no scheduled job '" + id + "' is waiting: the id is unknown, or the "
                            + "job was already enqueued or cancelled (see jobq schedule list)");
                }
                spec.commandLine().getOut().println("cancelled " + id);
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }
}
