package dev.jobq.bench.runner;

import java.util.Locale;
import java.util.Optional;

/**
 * What a forked run tells the runner, one line each on its standard output. Lines without the
 * prefix are the run's own output and are passed on as they are.
 */
sealed interface ForkMessage {

    String PREFIX = "jobq-bench:";

    /** How far a phase of the run is. */
    record Progress(String phase, long done, long total) implements ForkMessage {
        @Override
        public String line() {
            return PREFIX + "progress\t" + phase.replace('\t', ' ') + "\t" + done + "\t" + total;
        }
    }

    /** One metric's figure and its ceiling. */
    record Result(String key, Sample sample) implements ForkMessage {
        @Override
        public String line() {
            return PREFIX + "result\t" + key + "\t" + String.format(Locale.ROOT, "%.6f\t%.6f", sample.value(),
                    sample.ceiling());
        }
    }

    String line();

    static Optional<ForkMessage> parse(String line) {
        if (!line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = line.substring(PREFIX.length()).split("\t", -1);
        try {
            return switch (parts[0]) {
                case "progress" -> Optional.of(new Progress(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3])));
                case "result" -> Optional.of(new Result(parts[1],
                        new Sample(Double.parseDouble(parts[2]), Double.parseDouble(parts[3]))));
                default -> Optional.empty();
            };
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }
}
