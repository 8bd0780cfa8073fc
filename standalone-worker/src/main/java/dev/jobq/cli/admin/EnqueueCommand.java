package dev.jobq.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobOptions;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueOptions;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jobq enqueue TYPE --payload JSON}: puts one job on a queue and prints its id. The payload
 * travels as the JSON given, whatever class the worker's handler binds it to.
 */
@Command(name = "enqueue",
        mixinStandardHelpOptions = true,
        description = {"Enqueues one job and prints its id. The payload is passed on as the JSON given;",
                "the worker's handler binds it to its payload class."})
public final class EnqueueCommand implements Callable<Integer> {

    private final CommandContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private QueueOptions queueOptions;

    @Mixin
    private JobOptionsMixin jobOptions;

    @Parameters(index = "0", paramLabel = "TYPE", description = "The job type, e.g. email:send.")
    private String type;

    @Option(names = "--payload", required = true, paramLabel = "JSON", converter = Arguments.JsonArgument.class,
            description = "The payload as JSON, e.g. '{\"to\":\"user@example.com\"}'.")
    private JsonNode payload;

    @ArgGroup(exclusive = true)
    private @Nullable When when;

    /** When the job may run: after a delay or at an instant, not both. */
    static final class When {
        @Option(names = "--delay", paramLabel = "DURATION", converter = Arguments.DurationArgument.class,
                description = "Run after this delay, e.g. 30s, 5m, 3h (beyond the provider's limit: via the scheduler).")
        private @Nullable Duration delay;

        @Option(names = "--at", paramLabel = "INSTANT", converter = Arguments.InstantArgument.class,
                description = "Run at this instant, e.g. 2026-12-25T09:00:00Z (via the scheduler when in the future).")
        private @Nullable Instant at;
    }

    EnqueueCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        EnqueueOptions.Builder options = jobOptions.toBuilder();
        if (when != null && when.delay != null) {
            options.delay(when.delay);
        }
        if (when != null && when.at != null) {
            options.scheduledFor(when.at);
        }
        EnqueueOptions built = options.build();
        try (QueueSetup setup = queueOptions.setup(context); QueueSession session = setup.open()) {
            String queue = built.queue() != null ? built.queue() : JobOptions.DEFAULT_QUEUE;
            MemoryQueueNote.warnIfProcessLocal(session, queue, spec.commandLine().getErr(), "jobq enqueue");
            String id = session.queue().enqueue(type, payload, built);
            spec.commandLine().getOut().println(id);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
