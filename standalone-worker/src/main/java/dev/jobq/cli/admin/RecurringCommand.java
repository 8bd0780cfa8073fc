package dev.jobq.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.MisfirePolicy;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code jobq recurring list|add|enable|disable|delete}: jobs the scheduler enqueues on a schedule. */
@Command(name = "recurring",
        mixinStandardHelpOptions = true,
        description = "Lists, adds, enables, disables and deletes recurring jobs.",
        subcommands = {RecurringCommand.ListRecurring.class, RecurringCommand.Add.class, RecurringCommand.Enable.class,
                RecurringCommand.Disable.class, RecurringCommand.Delete.class})
public final class RecurringCommand extends CommandGroup {

    /** How much of a name its lines repeat: all of one the scheduler holds, as RecurringJob's refusals do. */
    private static final int NAME_PREVIEW_CHARS = 255;

    /**
     * The name typed, as RecurringJob's and the scheduler's refusals show it: quoted, its control characters escaped
     * (a newline in it started a line of its own), one longer than the scheduler holds cut with its length.
     */
    private static String shown(String name) {
        return UntrustedText.singleQuote(name, NAME_PREVIEW_CHARS);
    }

    /**
     * {@code jobq recurring list}. A job whose timezone this runtime cannot read (newer time-zone data wrote it) is
     * listed with the others, its zone as stored, and why on stderr: it failed the whole listing, hiding the others.
     */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists recurring jobs by name.")
    static final class ListRecurring extends SchedulerStoreCommand {
        ListRecurring(CommandContext context) {
            super(context);
        }

        @Override
        int run(JobScheduler scheduler) {
            var table = new Table("NAME", "TYPE", "QUEUE", "SCHEDULE", "TIMEZONE", "ENABLED", "NEXT_RUN", "LAST_RUN",
                    "LAST_ERROR");
            List<String> problems = new ArrayList<>();
            for (RecurringJobInfo job : scheduler.listRecurring()) {
                // the queue, as schedule list shows it: a job of a queue no process with a scheduler has never fires,
                // and its row has no error saying so
                table.row(job.name(), job.type(), job.queue(), job.schedule(), zoneName(job), job.enabled(),
                        job.nextRunAt(), job.lastRunAt(),
                        // the last hand-off's error is the provider's, which may quote its URL: shown as /health shows it
                        job.lastError() == null ? null : Secrets.maskUrl(job.lastError()));
                if (job.problem() != null) {
                    problems.add(job.problem());
                }
            }
            table.print(out());
            // Escaped as the table's cells are: the zone's text is whatever was written into the row.
            problems.forEach(problem -> err().println(UntrustedText.escape(problem)));
            err().flush();
            return 0;
        }

        /**
         * The default zone, {@link ZoneOffset#UTC}, by the name --help and the docs give it, not as {@code Z}; a zone
         * this runtime cannot read as it is stored.
         */
        private static String zoneName(RecurringJobInfo job) {
            ZoneId zone = job.timezone();
            return zone == null ? job.timezoneId() : zone.equals(ZoneOffset.UTC) ? "UTC" : zone.getId();
        }
    }

    /** {@code jobq recurring add NAME TYPE --schedule S}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            header = "Registers a recurring job, or updates the one with this name.",
            description = "Updating a job with an unchanged schedule keeps its next run.")
    static final class Add extends QueueCommand {
        @Mixin
        private JobOptionsMixin jobOptions;
        @Parameters(index = "0", paramLabel = "NAME", description = "Its unique name, e.g. daily-digest.")
        private String name;
        @Parameters(index = "1", paramLabel = "TYPE", converter = Arguments.JobTypeArgument.class,
                description = "The job type each occurrence has.")
        private String type;
        @Option(names = "--schedule", required = true, paramLabel = "SCHEDULE",
                description = "5-field cron ('0 9 * * *'), @hourly..@yearly, or 'every N minutes'.")
        private String schedule;
        @Option(names = "--timezone", paramLabel = "ZONE", converter = Arguments.ZoneArgument.class,
                description = "The zone cron fields are read in (default: UTC).")
        private @Nullable ZoneId timezone;
        @Option(names = "--payload", paramLabel = "JSON", converter = Arguments.JsonArgument.class,
                description = "The payload of every occurrence, as JSON (default: null).")
        private @Nullable JsonNode payload;
        @Option(names = "--misfire", paramLabel = "POLICY", converter = Arguments.MisfirePolicyArgument.class,
                description = "After downtime: ${COMPLETION-CANDIDATES} (default: FIRE_ONCE).")
        private MisfirePolicy misfire = MisfirePolicy.FIRE_ONCE;
        @Option(names = "--disabled", description = "Register it disabled.")
        private boolean disabled;

        Add(CommandContext context) {
            super(context);
        }

        /** Built and checked by {@link #checkInput} before the queue and the scheduler's database are opened. */
        private @Nullable RecurringJob job;

        /**
         * The job, and its schedule as the file's scheduler reads it, without connecting: a bad cron was checked
         * only once the scheduler's database had been opened, so with the database down it was told about the
         * database (exit 1), not the cron.
         */
        @Override
        void checkInput(QueueSetup setup) {
            RecurringJob checked;
            try {
                checked = RecurringJob.builder(name, type).schedule(schedule)
                        .timezone(timezone != null ? timezone : ZoneOffset.UTC)
                        .payload(payload).options(jobOptions.toBuilder().build())
                        .misfirePolicy(misfire).enabled(!disabled).build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec().commandLine(), e.getMessage());
            }
            try {
                SchedulerAccess.checkRecurring(setup, checked);
            } catch (IllegalArgumentException e) {
                throw refused(e);
            }
            job = checked;
        }

        @Override
        @Nullable String queueNamed() {
            return jobOptions.queue();
        }

        @Override
        String jobQueue() {
            return jobOptions.queueOrDefault();
        }

        @Override
        int run(QueueSetup setup, QueueSession session) {
            RecurringJobInfo info;
            try {
                info = SchedulerAccess.require(setup, session).registerRecurring(Objects.requireNonNull(job, "job"));
            } catch (IllegalArgumentException e) {
                throw refused(e);
            }
            out().println("registered " + UntrustedText.escape(info.name()) + "; next run "
                    + (info.nextRunAt() != null ? info.nextRunAt() : "-") + (info.enabled() ? "" : " (disabled)"));
            return 0;
        }

        /**
         * What the scheduler refused, a usage error; scheduler-jdbc's messages name the job already ("recurring job
         * '…'", escaped, one too long for it by its start): said once.
         */
        private CommandFailure refused(IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            return CommandFailure.usage(message.startsWith("recurring job ") ? message
                    : "recurring job " + shown(name) + ": " + message);
        }
    }

    /** What enable, disable and delete share: one name, one scheduler call, a message when the name is unknown. */
    abstract static class ByName extends SchedulerStoreCommand {
        private final String done;
        private final BiPredicate<JobScheduler, String> action;
        @Parameters(index = "0", paramLabel = "NAME", converter = Arguments.RecurringJobName.class,
                description = "The recurring job's name.")
        private String name;

        ByName(CommandContext context, String done, BiPredicate<JobScheduler, String> action) {
            super(context);
            this.done = done;
            this.action = action;
        }

        @Override
        int run(JobScheduler scheduler) {
            if (!action.test(scheduler, name)) {
                throw CommandFailure.failed("no recurring job is named " + shown(name) + " (see "
                        + advised("recurring list") + ")");
            }
            out().println(done + " " + UntrustedText.escape(name));
            return 0;
        }
    }

    /** {@code jobq recurring enable NAME}. */
    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables a recurring job.")
    static final class Enable extends ByName {
        Enable(CommandContext context) {
            super(context, "enabled", (scheduler, name) -> scheduler.setRecurringEnabled(name, true));
        }
    }

    /** {@code jobq recurring disable NAME}. */
    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disables a recurring job: it stays registered but does not fire.")
    static final class Disable extends ByName {
        Disable(CommandContext context) {
            super(context, "disabled", (scheduler, name) -> scheduler.setRecurringEnabled(name, false));
        }
    }

    /** {@code jobq recurring delete NAME}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a recurring job.")
    static final class Delete extends ByName {
        Delete(CommandContext context) {
            super(context, "deleted", JobScheduler::deleteRecurring);
        }
    }
}
