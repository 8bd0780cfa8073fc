package dev.jobq.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueBuilder;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.internal.runtime.JobQueueRuntime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jobq enqueue TYPE --payload JSON}: puts one job on a queue and prints its id. The payload
 * travels as the JSON given, whatever class the worker's handler binds it to.
 */
@Command(name = "enqueue",
        mixinStandardHelpOptions = true,
        header = "Enqueues one job and prints its id.",
        description = {"The payload is passed on as the JSON given; the worker's handler binds it",
                "to its payload class."})
public final class EnqueueCommand extends QueueCommand {

    @Mixin
    private JobOptionsMixin jobOptions;

    @Parameters(index = "0", paramLabel = "TYPE", converter = Arguments.JobTypeArgument.class,
                description = "The job type, e.g. email:send.")
    private String type;

    @Option(names = "--payload", paramLabel = "JSON", converter = Arguments.JsonArgument.class,
            description = {"The payload as JSON (default: null), such as", // the example on a line of its own, whole
                "'{\"to\":\"user@example.com\"}'."})
    private @Nullable JsonNode payload;

    @ArgGroup(exclusive = true)
    private @Nullable When when;

    /** When the job may run: after a delay or at an instant, not both. */
    static final class When {
        @Option(names = "--delay", paramLabel = "DURATION", converter = Arguments.DelayArgument.class,
                description = "Run after this delay, e.g. 30s, 5m, 3h (beyond the provider's limit: via the scheduler).")
        private @Nullable Duration delay;

        @Option(names = "--at", paramLabel = "INSTANT", converter = Arguments.InstantArgument.class,
                description = "Run at this instant, e.g. 2026-12-25T09:00:00Z (via the scheduler when in the future).")
        private @Nullable Instant at;
    }

    EnqueueCommand(CommandContext context) {
        super(context);
    }

    /**
     * The type and a {@code --delay}'s end, before anything connects: they were checked only by the open queue, so
     * with SQS out of reach, or the scheduler's database for a job it holds ({@code --at} an instant to come,
     * {@code --dedup-key}), a type with a control character or over 255 characters, or a delay ending past the year
     * 9999, was told as their failure (exit 1), and the H2 file was created.
     */
    @Override
    void checkInput(QueueSetup setup) {
        requireType(type);
        if (when != null && when.delay != null) {
            try {
                JobQueueRuntime.requireDelayEnds(InstantSource.system().instant(), when.delay);
            } catch (IllegalArgumentException e) {
                throw CommandFailure.usage(String.valueOf(e.getMessage()));
            }
        }
    }

    @Override
    @Nullable String queueNamed() {
        return jobOptions.queue();
    }

    @Override
    String jobQueue() {
        return jobOptions.queueOrDefault();
    }

    /**
     * A job for now without a {@code --dedup-key} goes to its queue's provider and never to the scheduler: opened
     * without it, so that its store out of reach (a database that is down, an H2 file a running worker holds) does
     * not fail the command, as it did (exit 1), enqueuing nothing to a queue that answered. So does a {@code --delay}
     * the provider holds (SQS: up to 15 minutes), which is known once the queue is open: a longer one opens the queue
     * again with the scheduler. So does a job {@code --at} an instant that has passed, which runs at once (it opened
     * the store, and failed while that was out of reach). A job for an instant to come, which the scheduler holds, or
     * whose key the scheduler is asked about still opens it.
     */
    @Override
    QueueSession open(QueueSetup setup) {
        if (jobOptions.hasDeduplicationKey()
                || (when != null && when.at != null && when.at.isAfter(InstantSource.system().instant()))) {
            return super.open(setup);
        }
        QueueSession session = open(setup, JobQueueBuilder::withoutScheduler);
        if (when == null || when.delay == null || session.queue() instanceof JobQueueRuntime runtime
                && runtime.providerHolds(jobOptions.queueOrDefault(), when.delay)) {
            return session;
        }
        session.close();
        return super.open(setup);
    }

    /**
     * A value the options or the queue refuse (a job type over 255 characters, a timeout under 1 ms, a delay past
     * the last instant) is a usage error, exit 2, as for {@code recurring add}: it was exit 1, a failure at run time
     * that a restart may fix.
     */
    @Override
    int run(QueueSetup setup, QueueSession session) {
        EnqueueOptions.Builder options = jobOptions.toBuilder();
        if (when != null && when.delay != null) {
            options.delay(when.delay);
        }
        if (when != null && when.at != null) {
            options.scheduledFor(when.at);
        }
        String id;
        try {
            EnqueueOptions built = options.build();
            String queue = built.queue() != null ? built.queue() : JobOptions.DEFAULT_QUEUE;
            if (!heldByScheduler(session, queue)) {
                MemoryQueueNote.warnIfProcessLocal(session, queue, err(), "jobq enqueue");
            }
            id = session.queue().enqueue(type, payload, built);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage(String.valueOf(e.getMessage()));
        }
        out().println(id);
        return 0;
    }

    /**
     * Whether the job goes to the scheduler's database, as the queue routes it: for an instant to come when there is
     * a scheduler, or with a delay beyond what its provider holds. That job outlives the command, and a worker's
     * scheduler fires it, so the memory queue's note that it "lives only in this command's process" is not said of it.
     */
    private boolean heldByScheduler(QueueSession session, String queue) {
        if (when == null || !session.queue().hasScheduler()) {
            return false;
        }
        if (when.at != null) {
            return when.at.isAfter(InstantSource.system().instant());
        }
        return when.delay != null && session.queue() instanceof JobQueueRuntime runtime
                && !runtime.providerHolds(queue, when.delay);
    }
}
