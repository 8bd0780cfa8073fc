package dev.jobq.cli.admin;

import dev.jobq.DeadLetter;
import dev.jobq.DeadLetters;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueBuilder;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.internal.config.ProviderSection;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jobq dead-letters list|redrive|delete}: the jobs that ran out of attempts, where the
 * queue's provider keeps them inspectable; elsewhere a usage error that says where they are.
 */
@Command(name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = "Lists, redrives and deletes dead letters, where the queue's provider keeps them.",
        subcommands = {DeadLettersCommand.ListDead.class, DeadLettersCommand.Redrive.class,
                DeadLettersCommand.Delete.class})
public final class DeadLettersCommand extends CommandGroup {
    private static final int MAX_ERROR_CHARS = 120;
    /** How much of an unknown id a refusal repeats: as much as schedule cancel's. */
    private static final int ID_PREVIEW_CHARS = 255;
    private static final String SQS = "sqs";

    /** The queue option and the way to its dead letters, shared by the subcommands. */
    static final class QueueChoice {
        private static final String COMMAND = "jobq dead-letters";
        private static final String MEMORY_INSTEAD = "a worker's memory queue keeps its dead letters in the worker's "
                + "process, where JobQueue.deadLetters lists, redrives and deletes them (docs/semantics.md)";

        @Option(names = "--queue", paramLabel = "QUEUE", defaultValue = JobOptions.DEFAULT_QUEUE,
                converter = Arguments.QueueName.class, description = "The queue (default: ${DEFAULT-VALUE}).")
        String queue;

        /**
         * Does {@code work} with the queue's dead letters, and returns its exit status. The queue of the whole file
         * is opened (a test may lend one); when that fails (another queue's provider out of reach fails all of it:
         * SQS down), this queue's provider alone, as {@code stats --queue} does: the dead letters are one queue's,
         * and the command failed (exit 1) while the queue asked about was readable. A queue of the file (not a
         * memory queue, never out of reach) has its provider opened first, and the whole file's queue is opened
         * with it ({@link ProviderAlone#openAround}): the whole file first failed on that queue out of reach after
         * the SDK's retries, and the queue alone then failed the same way after as many, twice the wait for one error.
         * A queue the file gives {@code deadLetter: discard} keeps none: that is said (exit 2) before anything is
         * opened, as it was only once its provider answered (with SQS down, exit 1 and SQS's failure); so is where the
         * dead letters of an SQS queue are, which jobq's SQS provider never keeps to list.
         */
        int call(QueueSetup setup, PrintWriter err, ToIntFunction<DeadLetters> work) {
            ProviderSection file = setup.config().providers().get(queue);
            if (file != null && discards(setup)) {
                throw notKept(file.type(), true); // the file tells: said so while the provider is out of reach too
            }
            if (file != null && SQS.equals(file.type())) {
                // jobq's SQS provider keeps none to list (they are in the dead-letter queue), which the file tells too:
                // with SQS out of reach the command failed as SQS's failure (exit 1) after the SDK's retries
                throw notKept(file.type(), false);
            }
            // one the file does not list may be a lent queue's
            boolean aloneFirst = file != null;
            // out of reach, this queue's provider fails the command here, once
            QueueProvider provider = aloneFirst ? ProviderAlone.create(setup, file) : null;
            QueueSession session;
            try {
                session = provider != null ? ProviderAlone.openAround(setup, provider, file) : open(setup);
            } catch (RuntimeException openingFailed) {
                ProviderSection section = ProviderAlone.section(setup, queue);
                try (QueueProvider alone = ProviderAlone.create(setup, section)) {
                    MemoryQueueNote.warnIfProcessLocal(section.type(), queue, err, COMMAND, MEMORY_INSTEAD);
                    return work.applyAsInt(alone.deadLetters()
                            .orElseThrow(() -> notKept(section.type(), discards(setup))));
                }
            }
            try (session) {
                if (provider != null && session.ownsQueue()) {
                    // given in code, the provider is known to the queue by its class: the file tells a memory queue
                    MemoryQueueNote.warnIfProcessLocal(file.type(), queue, err, COMMAND, MEMORY_INSTEAD);
                } else {
                    noteIfProcessLocal(session, err);
                }
                return work.applyAsInt(of(setup, session, provider != null && session.ownsQueue() ? file : null));
            }
        }

        DeadLetters of(QueueSetup setup, QueueSession session) {
            return of(setup, session, null);
        }

        /** Its provider's type as the file says where it gave the provider in code (the queue knows its class only). */
        private DeadLetters of(QueueSetup setup, QueueSession session, @Nullable ProviderSection file) {
            return session.queue().deadLetters(queue).orElseThrow(() -> notKept(file != null ? file.type()
                    : session.queue() instanceof JobQueueRuntime runtime
                            ? runtime.providerTypes().getOrDefault(queue, "?") : "?", discards(setup)));
        }

        /**
         * Whether the file gives this queue {@code deadLetter: discard} (SQS's setting): its dead jobs are deleted,
         * and there is no dead-letter queue to send the user to.
         */
        private boolean discards(QueueSetup setup) {
            ProviderSection section = setup.config().providers().get(queue);
            return section != null && "discard".equalsIgnoreCase(section.settings().string("deadLetter"));
        }

        private CommandFailure notKept(String type, boolean discards) {
            if (discards) {
                return CommandFailure.usage("queue '" + queue + "' has deadLetter: discard: " + (SQS.equals(type)
                        ? "SQS" : "provider '" + type + "'") + " deletes its dead jobs (each logged at WARN with a "
                        + "Dead event) and keeps none; to keep them, remove deadLetter: discard and give the queue a "
                        + "dead-letter queue (deadLetterQueueUrl, or a redrive policy: docs/sqs.md)");
            }
            return CommandFailure.usage("provider '" + type + "' of queue '" + queue + "' does not keep its dead "
                    + "letters where jobq can list them; look in the provider's own dead-letter store (for SQS: "
                    + "the queue's dead-letter queue, e.g. in the AWS console or with aws sqs receive-message; to "
                    + "run them again, move them back with SQS's redrive (aws sqs start-message-move-task, "
                    + "docs/sqs.md))");
        }

        /**
         * The queue without the scheduler, which dead letters never involve: its store may be out of reach (a
         * database that is down, an H2 file a running worker holds) while the provider is not, as for stats.
         */
        static QueueSession open(QueueSetup setup) {
            return setup.open(JobQueueBuilder::withoutScheduler);
        }

        /**
         * Notes that a memory queue this command built is not a worker's, and where a worker's dead
         * letters are instead: SQS, which a note for other commands suggests, keeps none here either.
         */
        void noteIfProcessLocal(QueueSession session, PrintWriter err) {
            MemoryQueueNote.warnIfProcessLocal(session, queue, err, COMMAND, MEMORY_INSTEAD);
        }
    }

    /** {@code jobq dead-letters list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists dead letters, newest first.")
    static final class ListDead extends QueueCommand {
        @Mixin
        private QueueChoice choice;
        @Mixin
        private LimitOption limit;

        ListDead(CommandContext context) {
            super(context);
        }

        @Override
        int call(QueueSetup setup) {
            return choice.call(setup, err(), this::list);
        }

        @Override
        int run(QueueSetup setup, QueueSession session) {
            choice.noteIfProcessLocal(session, err());
            return list(choice.of(setup, session));
        }

        private int list(DeadLetters letters) {
            var table = new Table("ID", "TYPE", "ATTEMPTS", "DEAD_AT", "ERROR");
            List<DeadLetter> fetched = letters.list(limit.fetch());
            for (DeadLetter dead : limit.shown(fetched, "dead letters", err())) {
                table.row(dead.job().id(), dead.job().type(), dead.attempts(), dead.deadAt(), shorten(dead.error()));
            }
            table.print(out());
            return 0;
        }

        /**
         * The error as one line, with the secrets of its URLs masked, as /health and the logs show errors (a
         * handler's may quote a database's URL, password and all); masked before it is cut, since a URL cut before
         * its '@' would show the password ahead of it. Cut between characters, not inside an emoji.
         */
        private static String shorten(String error) {
            String line = Secrets.maskUrl(error).replace('\n', ' ');
            if (line.length() <= MAX_ERROR_CHARS) {
                return line;
            }
            int end = MAX_ERROR_CHARS - 1;
            // not between the two chars of one character (an emoji): half of one is printed as '?'
            return line.substring(0, Character.isHighSurrogate(line.charAt(end - 1)) ? end - 1 : end) + "…";
        }
    }

    /**
     * What redrive and delete share: one id, one call, a message when the id is unknown, or, for a dead letter that is
     * kept and still was not acted on, why.
     */
    abstract static class ById extends QueueCommand {
        private final String done;
        private final BiPredicate<DeadLetters, String> action;
        private final @Nullable String whyKept;
        @Mixin
        private QueueChoice choice;
        @Parameters(index = "0", paramLabel = "ID", converter = Arguments.DeadLetterId.class,
                description = "The dead job's id.")
        private String id;

        /**
         * @param whyKept what {@code action} did not do to a dead letter it left where it is, and why, with {@code %1$s}
         *                for its id, {@code %2$s} for the queue and {@code %3$s} for the {@code --config} given
         *                ({@link QueueSetup#configArgument}); null if it never leaves one
         */
        ById(CommandContext context, String done, BiPredicate<DeadLetters, String> action, @Nullable String whyKept) {
            super(context);
            this.done = done;
            this.action = action;
            this.whyKept = whyKept;
        }

        @Override
        int call(QueueSetup setup) {
            return choice.call(setup, err(), letters -> act(setup, letters));
        }

        @Override
        int run(QueueSetup setup, QueueSession session) {
            choice.noteIfProcessLocal(session, err());
            return act(setup, choice.of(setup, session));
        }

        /**
         * A dead letter that the action left where it is (a redrive a live job's id or deduplication key stands in the
         * way of) is said to be kept, with why: it was said to be unknown, while dead-letters list showed it. Looked
         * for only then, among all of them. Its id is shown as an unknown one is, and given to the advice as a shell
         * word: one in the list may be another producer's, with a control character. The line said when it is done
         * repeats the id escaped too, as schedule cancel's does: raw, a newline split it and an ESC repainted the
         * terminal. The commands it advises repeat the {@code --config} given: without it, pasted, they read another
         * config, and so another queue, than the one that kept it.
         */
        private int act(QueueSetup setup, DeadLetters letters) {
            if (!action.test(letters, id)) {
                if (whyKept != null && letters.list(Integer.MAX_VALUE).stream().anyMatch(d -> d.job().id().equals(id))) {
                    throw CommandFailure.failed("queue '" + choice.queue + "' keeps dead letter " + shown(id) + " but "
                            + whyKept.formatted(UntrustedText.shellArgument(id), choice.queue, setup.configArgument()));
                }
                throw CommandFailure.failed("queue '" + choice.queue + "' has no dead letter " + shown(id)
                        + " (see jobq dead-letters list " + setup.configArgument() + "--queue " + choice.queue + ")");
            }
            out().println(done + " " + UntrustedText.escape(id, ID_PREVIEW_CHARS));
            return 0;
        }

        /**
         * The id typed, as schedule cancel shows one it does not know: quoted, its control characters escaped (an id
         * read from a file, {@code "$(cat id)"}, split the line with its newline; an ESC repainted the terminal).
         */
        private static String shown(String id) {
            return UntrustedText.singleQuote(id, ID_PREVIEW_CHARS);
        }
    }

    /** {@code jobq dead-letters redrive ID}. */
    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Puts a dead job back on its queue with a fresh set of attempts.")
    static final class Redrive extends ById {
        Redrive(CommandContext context) {
            super(context, "redriven", DeadLetters::redrive, "did not redrive it: a job waiting, delayed or running "
                    + "on the queue has its id or its deduplication key, and the redriven job would duplicate it; "
                    + "redrive it once that job has ended, or delete it (jobq dead-letters delete %3$s--queue %2$s "
                    + "%1$s)");
        }
    }

    /** {@code jobq dead-letters delete ID}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a dead letter for good.")
    static final class Delete extends ById {
        Delete(CommandContext context) {
            super(context, "deleted", DeadLetters::delete, null);
        }
    }
}
