package dev.jobq.cli.admin;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jobq.ConfigException;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueBuilder;
import dev.jobq.JobRejectedException;
import dev.jobq.QueueStats;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.ExitStatus;
import dev.jobq.cli.context.FailureText;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.internal.config.ProviderSection;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.UntrustedText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jobq stats}: each queue's waiting, delayed, in-flight and dead counts, from the provider
 * (shared by every worker; in flight: received by any worker and not yet settled). What workers ran
 * (active, completed, failed, durations) is counted in each worker's own process, which this command
 * is not: it would print zeros beside a busy worker, so it prints none; a running worker's
 * {@code /health} and {@code /metrics} have them.
 *
 * <p>A queue whose stats cannot be read (its provider out of reach, when the command opens it or when it
 * asks) does not hide the others: it is shown with '?' (in JSON {@code null}, with its error), its error
 * is on stderr, and the command exits 1 (2 where that queue's configuration is what is wrong).
 */
@Command(name = "stats",
        mixinStandardHelpOptions = true,
        header = "Prints each queue's waiting, delayed, in-flight and dead counts.",
        description = {"The counts come from the provider ('?' where it cannot tell; SQS cannot tell",
                "delayed or in flight). In flight: received by any worker, not yet settled.",
                "What workers ran is in their /health and /metrics. A queue whose stats cannot",
                "be read is shown with '?', its error on stderr, and the command exits 1."})
public final class StatsCommand extends QueueCommand {

    @Option(names = "--queue", paramLabel = "QUEUE", converter = Arguments.QueueName.class,
            description = "Only this queue.")
    private @Nullable String queue;

    @Option(names = "--json", description = "Print JSON, one object per queue in an array.")
    private boolean json;

    StatsCommand(CommandContext context) {
        super(context);
    }

    /**
     * Without the scheduler, which the counts never read: its store may be out of this command's reach
     * (an H2 file a running worker holds) while the provider's counts are not.
     */
    @Override
    QueueSession open(QueueSetup setup) {
        return setup.open(JobQueueBuilder::withoutScheduler);
    }

    /**
     * Opens every queue at once; when that fails (one provider out of reach fails the whole queue), each queue's
     * provider alone, so that the others are still counted. Where every queue opens alone, what failed is not one
     * queue's: that failure is the command's, as before. With {@code --queue} of the file, see {@link #oneQueue};
     * without it, for a file with queues not on the memory provider, see {@link #everyQueue}.
     */
    @Override
    int call(QueueSetup setup) throws JsonProcessingException {
        ProviderSection only = queue == null ? null : setup.config().providers().get(queue);
        if (only != null) {
            return oneQueue(setup, only);
        }
        if (queue == null && setup.config().providers().values().stream()
                .anyMatch(section -> !MemoryQueueNote.MEMORY.equals(section.type()))) {
            return everyQueue(setup);
        }
        QueueSession session;
        try {
            session = open(setup);
        } catch (RuntimeException openingFailed) {
            List<Counts> counts = eachAlone(setup);
            if (queue == null && counts.stream().allMatch(c -> c.error() == null)) {
                throw openingFailed;
            }
            return print(counts);
        }
        try (session) {
            return run(setup, session);
        }
    }

    @Override
    int run(QueueSetup setup, QueueSession session) throws JsonProcessingException {
        JobQueue jobs = session.queue();
        List<String> names = queue != null ? List.of(queue) : jobs.queueNames();
        var counts = new ArrayList<Counts>();
        for (String name : names) {
            QueueStats s;
            try {
                s = jobs.stats(name);
            } catch (JobRejectedException unknownQueue) {
                throw unknownQueue;
            } catch (RuntimeException e) {
                counts.add(Counts.unreadable(name, e));
                continue;
            }
            MemoryQueueNote.warnIfProcessLocal(session, s.queue(), err(), "jobq stats");
            counts.add(Counts.of(s));
        }
        return print(counts);
    }

    /**
     * {@code --queue Q} of the file: Q's provider alone first,
     * then the queue of the whole file with that provider for Q. The whole file first failed on a Q out of reach
     * after the SDK's retries, and Q alone then failed the same way after as many: twice the wait for one answer.
     * The file's other queues are not opened ({@link ProviderAlone#openAround}); when the whole file still cannot be
     * opened, Q alone is asked, as {@link #eachAlone} does.
     */
    private int oneQueue(QueueSetup setup, ProviderSection section) throws JsonProcessingException {
        QueueProvider alone;
        try {
            alone = ProviderAlone.create(setup, section);
        } catch (RuntimeException e) {
            return print(List.of(Counts.unreadable(section.queueName(), e)));
        }
        QueueSession session;
        try {
            session = ProviderAlone.openAround(setup, alone, section);
        } catch (RuntimeException openingFailed) {
            return print(eachAlone(setup));
        }
        try (session) {
            if (session.ownsQueue()) {
                // given in code, the provider is known to the queue by its class: the file tells a memory queue
                MemoryQueueNote.warnIfProcessLocal(section.type(), section.queueName(), err(), "jobq stats");
            }
            return run(setup, session);
        }
    }

    /**
     * Every queue of the file, its providers other than memory ones opened alone first, as {@link #oneQueue} opens one:
     * the whole file first failed on a queue out of reach after the SDK's retries, and {@link #eachAlone} then failed
     * on it the same way after as many, twice the wait for one answer (84 s for a file of one SQS queue that does not
     * answer). When every one opens, the queue of the whole file is opened around them, each opened once; otherwise
     * each is asked alone, those that did not open shown with their error.
     */
    private int everyQueue(QueueSetup setup) throws JsonProcessingException {
        ProviderCatalog catalog = ProviderCatalog.load(setup.classLoader());
        Map<String, QueueProvider> opened = new LinkedHashMap<>();
        Map<String, Counts> unopened = new LinkedHashMap<>();
        try {
            for (ProviderSection section : setup.config().providers().values()) {
                if (MemoryQueueNote.MEMORY.equals(section.type())) {
                    continue;
                }
                try {
                    opened.put(section.queueName(), ProviderAlone.create(catalog, section));
                } catch (RuntimeException e) {
                    unopened.put(section.queueName(), Counts.unreadable(section.queueName(), e));
                }
            }
        } catch (RuntimeException | Error e) {
            opened.values().forEach(QueueProvider::close);
            throw e;
        }
        if (!unopened.isEmpty()) {
            return print(eachAlone(setup, catalog, opened, unopened));
        }
        QueueSession session;
        try {
            session = setup.open(builder -> {
                builder.withoutScheduler();
                opened.forEach(builder::queue);
                return builder;
            });
        } catch (RuntimeException | Error e) {
            opened.values().forEach(QueueProvider::close); // build() closes what it was given; these may not have got that far
            throw e;
        }
        if (!session.ownsQueue()) {
            opened.values().forEach(QueueProvider::close); // a test lends its queue: these were never used
        }
        try (session) {
            return run(setup, session);
        }
    }

    /**
     * Each queue of the file with the provider opened for it ({@code opened}, closed here), its error where it did
     * not open ({@code unopened}), or a memory queue's provider opened alone; in the file's order.
     */
    private List<Counts> eachAlone(QueueSetup setup, ProviderCatalog catalog, Map<String, QueueProvider> opened,
                                   Map<String, Counts> unopened) {
        var counts = new ArrayList<Counts>();
        for (ProviderSection section : setup.config().providers().values()) {
            String name = section.queueName();
            if (unopened.containsKey(name)) {
                counts.add(unopened.get(name));
                continue;
            }
            try (QueueProvider provider = opened.containsKey(name) ? opened.get(name)
                    : ProviderAlone.create(catalog, section)) {
                counts.add(read(section, provider));
            } catch (RuntimeException e) {
                counts.add(Counts.unreadable(name, e));
            }
        }
        return counts;
    }

    /** Each configured queue (or the one of --queue) with its provider opened alone, asked, and closed. */
    private List<Counts> eachAlone(QueueSetup setup) {
        Map<String, ProviderSection> sections = setup.config().providers();
        if (queue != null) {
            ProviderAlone.section(setup, queue);
        }
        ProviderCatalog catalog = ProviderCatalog.load(setup.classLoader());
        var counts = new ArrayList<Counts>();
        for (ProviderSection section : sections.values()) {
            if (queue != null && !queue.equals(section.queueName())) {
                continue;
            }
            try (QueueProvider provider = ProviderAlone.create(catalog, section)) {
                counts.add(read(section, provider));
            } catch (RuntimeException e) {
                counts.add(Counts.unreadable(section.queueName(), e));
            }
        }
        return counts;
    }

    /** The counts of the queue of {@code section}, from its provider opened alone. */
    private Counts read(ProviderSection section, QueueProvider provider) {
        ProviderStats s;
        try {
            s = provider.stats();
        } catch (RuntimeException e) {
            return Counts.unreadable(section.queueName(), e);
        }
        MemoryQueueNote.warnIfProcessLocal(section.type(), section.queueName(), err(), "jobq stats");
        return new Counts(section.queueName(), known(s.waiting()), known(s.delayed()), known(s.inFlight()),
                known(s.dead()), null, ExitStatus.OK);
    }

    /** Prints the counts, and on stderr the error of each queue that could not be read; returns the exit status. */
    private int print(List<Counts> counts) throws JsonProcessingException {
        if (json) {
            out().println(JsonMapper.builder().build().writeValueAsString(counts));
        } else {
            var table = new Table("QUEUE", "WAITING", "DELAYED", "IN-FLIGHT", "DEAD");
            for (Counts c : counts) {
                table.row(c.queue(), count(c.waiting()), count(c.delayed()), count(c.inFlight()), count(c.dead()));
            }
            table.print(out());
        }
        out().flush();
        int status = ExitStatus.OK;
        for (Counts c : counts) {
            if (c.error() != null) {
                // the name as given (the JSON's "queue" keeps it so); a U+202E in it reversed the rest of the line
                err().println("jobq stats: queue '" + UntrustedText.escape(c.queue()) + "': its stats cannot be read: "
                        + c.error());
                status = Math.max(status, c.status());
            }
        }
        err().flush();
        return status;
    }

    private static String count(@Nullable Long value) {
        return value == null ? "?" : Long.toString(value);
    }

    private static @Nullable Long known(long value) {
        return value < 0 ? null : value;
    }

    /**
     * A queue's counts as JSON: {@code null} where the provider cannot tell (the table's '?'), all of them with
     * the error (its URLs' secrets masked, one line) of a queue whose stats could not be read.
     */
    record Counts(String queue, @Nullable Long waiting, @Nullable Long delayed, @Nullable Long inFlight,
                  @Nullable Long dead, @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String error,
                  @JsonIgnore int status) {

        static Counts of(QueueStats s) {
            return new Counts(s.queue(), known(s.waiting()), known(s.delayed()), known(s.inFlight()), known(s.dead()),
                    null, ExitStatus.OK);
        }

        /** A configuration the provider refused when opened is the user's to fix, as any config problem: 2. */
        static Counts unreadable(String queue, RuntimeException e) {
            return new Counts(queue, null, null, null, null, describe(e),
                    e instanceof ConfigException ? ExitStatus.USAGE : ExitStatus.FAILURE);
        }

        private static String describe(Throwable error) {
            return FailureText.of(error).replaceAll("\\s*\\R\\s*", " ");
        }
    }
}
