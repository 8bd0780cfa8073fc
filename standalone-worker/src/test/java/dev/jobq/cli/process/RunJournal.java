package dev.jobq.cli.process;

import dev.jobq.cli.process.handlers.RunLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The test side of the {@link RunLog}: one file per worker in a directory, read back as runs —
 * which job ran, on which attempt, when it finished, in which worker. A job that ran more than
 * once is a duplicate: at least once allows it, so tests count and report them.
 */
final class RunJournal {

    /** One finished handler run. */
    record Run(String jobId, int attempt, Instant finishedAt, String worker) {
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private final Path dir;
    private final Map<String, Path> files = new LinkedHashMap<>();

    RunJournal(Path dir) {
        this.dir = dir;
    }

    /** The file the worker named {@code worker} appends to (give it as {@value RunLog#FILE_ENV}). */
    Path fileFor(String worker) {
        return files.computeIfAbsent(worker, w -> dir.resolve("runs-" + w + ".log"));
    }

    /** Every run recorded so far, worker by worker. */
    List<Run> runs() {
        List<Run> runs = new ArrayList<>();
        for (var file : files.entrySet()) {
            if (!Files.exists(file.getValue())) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(file.getValue())) {
                    String[] fields = line.split(" ");
                    runs.add(new Run(fields[0], Integer.parseInt(fields[1]),
                            Instant.ofEpochMilli(Long.parseLong(fields[2])), file.getKey()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return runs;
    }

    /** The runs of each job. */
    Map<String, List<Run>> byJob() {
        return runs().stream().collect(Collectors.groupingBy(Run::jobId, LinkedHashMap::new, Collectors.toList()));
    }

    /** The runs of one job. */
    List<Run> of(String jobId) {
        return runs().stream().filter(r -> r.jobId().equals(jobId)).toList();
    }

    /** How many runs the worker named {@code worker} recorded. */
    long count(String worker) {
        return runs().stream().filter(r -> r.worker().equals(worker)).count();
    }

    /**
     * Asserts that exactly {@code jobIds} ran, each once, on {@code worker}, as attempt {@code attempt}
     * ({@code why} says why that attempt).
     */
    void assertRanOnceEach(Collection<String> jobIds, String worker, int attempt, String why) {
        Map<String, List<Run>> byJob = byJob();
        if (!byJob.keySet().equals(new HashSet<>(jobIds))) {
            throw new AssertionError("the jobs that ran " + byJob.keySet() + " are not the ones expected " + jobIds);
        }
        byJob.forEach((jobId, runs) -> {
            if (runs.size() != 1 || !runs.getFirst().worker().equals(worker) || runs.getFirst().attempt() != attempt) {
                throw new AssertionError("job " + jobId + " should have run once, on " + worker + ", as attempt "
                        + attempt + " (" + why + "); its runs: " + runs);
            }
        });
    }

    /** Runs beyond the first of their job. */
    static int duplicates(Map<String, List<Run>> byJob) {
        return byJob.values().stream().mapToInt(runs -> runs.size() - 1).sum();
    }

    /**
     * Waits, reading the files every 200 ms, until every one of {@code jobIds} has run.
     *
     * @throws AssertionError saying how many had not run after {@code timeout}
     */
    void awaitJobs(Collection<String> jobIds, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(POLL).pollDelay(Duration.ZERO)
                    .until(() -> byJob().keySet().containsAll(jobIds));
        } catch (ConditionTimeoutException e) {
            Set<String> missing = new HashSet<>(jobIds);
            missing.removeAll(byJob().keySet());
            throw new AssertionError(missing.size() + " of " + jobIds.size() + " jobs had not run after " + timeout
                    + ", e.g. " + missing.stream().limit(5).toList() + "; runs recorded: " + runs().size(), e);
        }
    }

    /** Waits until at least {@code count} different jobs ran (the ones the test cannot name in advance). */
    void awaitJobCount(int count, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(POLL).pollDelay(Duration.ZERO)
                    .until(() -> byJob().size() >= count);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("only " + byJob().size() + " of " + count + " jobs had run after " + timeout, e);
        }
    }
}
