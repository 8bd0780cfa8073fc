package dev.jobq.cli.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueBuilder;
import dev.jobq.QueueStats;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jobq stats}: each queue's waiting, delayed, in-flight and dead counts, from the provider
 * (shared by every worker; in flight: received by any worker and not yet settled). What workers ran
 * (active, completed, failed, durations) is counted in each worker's own process, which this command
 * is not: it would print zeros beside a busy worker, so it prints none; a running worker's
 * {@code /health} and {@code /metrics} have them.
 */
@Command(name = "stats",
        mixinStandardHelpOptions = true,
        header = "Prints each queue's waiting, delayed, in-flight and dead counts.",
        description = {"The counts come from the provider ('?' where it cannot tell; SQS cannot tell",
                "delayed or in flight). In flight: received by any worker, not yet settled.",
                "What workers ran is in their /health and /metrics."})
public final class StatsCommand extends QueueCommand {

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only this queue.")
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

    @Override
    int run(QueueSetup setup, QueueSession session) throws JsonProcessingException {
        JobQueue jobs = session.queue();
        List<QueueStats> stats = queue != null ? List.of(jobs.stats(queue)) : jobs.stats();
        for (QueueStats s : stats) {
            MemoryQueueNote.warnIfProcessLocal(session, s.queue(), err(), "jobq stats");
        }
        if (json) {
            out().println(JsonMapper.builder().build().writeValueAsString(stats.stream().map(Counts::of).toList()));
            return 0;
        }
        var table = new Table("QUEUE", "WAITING", "DELAYED", "IN-FLIGHT", "DEAD");
        for (QueueStats s : stats) {
            table.row(s.queue(), count(s.waiting()), count(s.delayed()), count(s.inFlight()), count(s.dead()));
        }
        table.print(out());
        return 0;
    }

    private static String count(long value) {
        return value < 0 ? "?" : Long.toString(value);
    }

    /** A queue's counts as JSON: {@code null} where the provider cannot tell (the table's '?'). */
    record Counts(String queue, @Nullable Long waiting, @Nullable Long delayed, @Nullable Long inFlight,
                  @Nullable Long dead) {

        static Counts of(QueueStats s) {
            return new Counts(s.queue(), known(s.waiting()), known(s.delayed()), known(s.inFlight()), known(s.dead()));
        }

        private static @Nullable Long known(long value) {
            return value < 0 ? null : value;
        }
    }
}
