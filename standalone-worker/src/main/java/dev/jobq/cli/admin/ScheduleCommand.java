package dev.jobq.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.Scheduler;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jobq schedule list|add|cancel}: one-time jobs held by the scheduler until their instant. */
@Command(name = "schedule",
        mixinStandardHelpOptions = true,
        description = "Lists, adds and cancels jobs the scheduler holds until an instant.",
        subcommands = {ScheduleCommand.ListScheduled.class, ScheduleCommand.Add.class, ScheduleCommand.Cancel.class})
public final class ScheduleCommand extends CommandGroup {

    /** {@code jobq schedule list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists waiting jobs, earliest first.")
    static final class ListScheduled extends SchedulerStoreCommand {
        @Mixin
        private LimitOption limit;

        ListScheduled(CommandContext context) {
            super(context);
        }

        @Override
        int run(JobScheduler scheduler) {
            var table = new Table("ID", "TYPE", "QUEUE", "SCHEDULED_FOR", "STATUS", "ERROR");
            List<ScheduledJobInfo> fetched = scheduler.listScheduled(limit.fetch());
            for (ScheduledJobInfo job : limit.shown(fetched, "waiting jobs", err())) {
                // A hand-off's error is the provider's, which may quote the URL it was given: shown as /health shows it.
                table.row(job.id(), job.type(), job.queue(), job.scheduledFor(), job.status(),
                        job.error() == null ? null : Secrets.maskUrl(job.error()));
            }
            table.print(out());
            return 0;
        }
    }

    /** {@code jobq schedule add TYPE --at INSTANT --payload JSON}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Holds a job until an instant, then enqueues it; prints its id.")
    static final class Add extends QueueCommand {
        @Mixin
        private JobOptionsMixin jobOptions;
        @Parameters(index = "0", paramLabel = "TYPE", converter = Arguments.JobTypeArgument.class,
                description = "The job type.")
        private String type;
        @Option(names = "--at", required = true, paramLabel = "INSTANT", converter = Arguments.InstantArgument.class,
                description = "When to enqueue it, e.g. 2026-12-25T09:00:00Z.")
        private Instant at;
        @Option(names = "--payload", paramLabel = "JSON", converter = Arguments.JsonArgument.class,
                description = "The payload as JSON (default: null).")
        private @Nullable JsonNode payload;

        Add(CommandContext context) {
            super(context);
        }

        /**
         * A file without a {@code scheduler:} section is told so before the queue opens: it was told only after, so
         * with the provider out of reach the provider's failure was shown (exit 1) instead. The type then, in
         * enqueue's words, as {@code recurring add} checks its own: one enqueue refuses (a control character, over
         * 255 characters) was refused only by the open scheduler, so with its database down the user was told about
         * the database (exit 1), not the type.
         */
        @Override
        void checkInput(QueueSetup setup) {
            SchedulerAccess.requireConfigured(setup);
            requireType(type);
        }

        @Override
        @Nullable String queueNamed() {
            return jobOptions.queue();
        }

        @Override
        String jobQueue() {
            return jobOptions.queueOrDefault();
        }

        /** A value the options or the scheduler refuse is a usage error, exit 2, as for {@code recurring add}. */
        @Override
        int run(QueueSetup setup, QueueSession session) {
            Scheduler scheduler = SchedulerAccess.require(setup, session);
            String id;
            try {
                id = scheduler.schedule(type, payload, at, jobOptions.toBuilder().build());
            } catch (IllegalArgumentException e) {
                throw CommandFailure.usage(String.valueOf(e.getMessage()));
            }
            out().println(id);
            return 0;
        }
    }

    /** {@code jobq schedule cancel ID}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a job still waiting.")
    static final class Cancel extends SchedulerStoreCommand {
        @Parameters(index = "0", paramLabel = "ID", converter = Arguments.ScheduledJobId.class,
                description = "The scheduled job's id.")
        private String id;

        Cancel(CommandContext context) {
            super(context);
        }

        /** Ids a refusal repeats whole: any the scheduler holds (JdbcJobScheduler.MAX_TEXT). */
        private static final int ID_PREVIEW_CHARS = 255;

        @Override
        int run(JobScheduler scheduler) {
            if (!scheduler.cancel(id)) {
                throw CommandFailure.failed(switch (scheduler.status(id).orElse(null)) {
                    case ENQUEUED -> "scheduled job " + shown(id) + " was already handed to its queue, where it runs; "
                            + "the scheduler can no longer cancel it";
                    case CANCELLED -> "scheduled job " + shown(id) + " was already cancelled";
                    case null, default -> "no scheduled job " + shown(id) + " is waiting: the scheduler does not know "
                            + "the id, or purged its record after scheduler.retention (see "
                            + advised("schedule list") + ")";
                });
            }
            out().println("cancelled " + UntrustedText.escape(id, ID_PREVIEW_CHARS));
            return 0;
        }

        /**
         * The id typed, as the scheduler's own errors and recurring's commands show what they were given: quoted, its
         * control characters escaped (an id read from a file, {@code "$(cat id)"}, split the line with its newline).
         */
        private static String shown(String id) {
            return UntrustedText.singleQuote(id, ID_PREVIEW_CHARS);
        }
    }
}
