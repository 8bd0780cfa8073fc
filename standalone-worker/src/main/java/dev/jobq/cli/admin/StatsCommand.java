package dev.jobq.cli.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jobq.JobQueue;
import dev.jobq.QueueStats;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.cli.http.HealthReport;
import dev.jobq.spi.DurationFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jobq stats}: each queue's counts. Waiting, delayed and dead come from the provider (shared
 * by every worker); the other columns count what this command's own process ran, which for a
 * separate command is nothing: ask a running worker's {@code /health} for those.
 */
@Command(name = "stats",
        mixinStandardHelpOptions = true,
        header = "Prints each queue's waiting, delayed and dead counts.",
        description = {"The counts come from the provider ('?' where it cannot tell). What workers",
                "ran is in their /health and /metrics."})
public final class StatsCommand extends QueueCommand {

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only this queue.")
    private @Nullable String queue;

    @Option(names = "--json", description = "Print JSON, one object per queue in an array.")
    private boolean json;

    StatsCommand(CommandContext context) {
        super(context);
    }

    @Override
    int run(QueueSetup setup, QueueSession session) throws JsonProcessingException {
        JobQueue jobs = session.queue();
        List<QueueStats> stats = queue != null ? List.of(jobs.stats(queue)) : jobs.stats();
        for (QueueStats s : stats) {
            MemoryQueueNote.warnIfProcessLocal(session, s.queue(), err(), "jobq stats");
        }
        if (json) {
            out().println(JsonMapper.builder().build().writeValueAsString(stats.stream()
                    .map(HealthReport.QueueHealth::of).toList()));
            return 0;
        }
        var table = new Table("QUEUE", "WAITING", "DELAYED", "ACTIVE", "COMPLETED", "FAILED", "DEAD",
                "THROUGHPUT/S", "SUCCESS", "AVG", "PEAK");
        for (QueueStats s : stats) {
            table.row(s.queue(), count(s.waiting()), count(s.delayed()), s.active(), s.completed(), s.failed(),
                    count(s.dead()), String.format(Locale.ROOT, "%.2f", s.throughputPerSecond()),
                    String.format(Locale.ROOT, "%.1f%%", s.successRate() * 100),
                    DurationFormat.format(s.averageDuration()), s.peakActive());
        }
        table.print(out());
        return 0;
    }

    private static String count(long value) {
        return value < 0 ? "?" : Long.toString(value);
    }
}
