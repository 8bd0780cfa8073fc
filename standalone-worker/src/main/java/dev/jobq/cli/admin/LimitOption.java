package dev.jobq.cli.admin;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --limit N} of the list commands: at least 1, {@value #DEFAULT} unless given. A list cut
 * short by it says so on stderr, so that the first N rows are not taken for all of them; stdout
 * keeps only the rows, for scripts.
 */
final class LimitOption {

    static final int DEFAULT = 100;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    private int limit = DEFAULT;

    @Option(names = "--limit", paramLabel = "N", description = "List at most N (default: " + DEFAULT + ").")
    void setLimit(int limit) {
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be ≥ 1, got " + limit
                    + "; leave it out to list up to " + DEFAULT);
        }
        this.limit = limit;
    }

    /** How many rows to ask for: one more than the limit, to tell whether it leaves some out. */
    int fetch() {
        return limit == Integer.MAX_VALUE ? limit : limit + 1;
    }

    /** The rows to print of those {@linkplain #fetch() fetched}; when the limit leaves some out, says so on {@code err}. */
    <T> List<T> shown(List<T> fetched, String what, PrintWriter err) {
        if (fetched.size() <= limit) {
            return fetched;
        }
        // what is plural ("waiting jobs"): "the first 1 waiting jobs" read wrong
        String shownOf = limit == 1 ? "only the first of the " + what : "the first " + limit + " " + what;
        err.println(spec.qualifiedName() + ": showing " + shownOf + "; there are more (--limit N lists up to N)");
        err.flush();
        return fetched.subList(0, limit);
    }
}
