package dev.jobq.cli.admin;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobOptions;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** The per-job options of {@code enqueue}, {@code schedule add} and {@code recurring add}. */
final class JobOptionsMixin {

    /** How much of a value its refusal repeats, as {@code Arguments}' refusals do. */
    private static final int SHOWN_CHARS = 60;

    /** The fix for a {@code --timeout} of 0 or less: the default is what most who wrote 0 meant. */
    private static final String LEAVE_OUT_TIMEOUT =
            "; leave it out for the default, " + DurationFormat.format(JobOptions.DEFAULT_TIMEOUT);

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    private @Nullable String queue;

    private @Nullable Integer maxAttempts;

    private @Nullable Duration timeout;

    @Option(names = "--priority", paramLabel = "N",
            description = "Lower runs first (default 0); only where the provider supports priority.")
    private @Nullable Integer priority;

    private @Nullable String deduplicationKey;

    /** Blank is a usage error here, where the option can be named, not a failed enqueue in the builder's words. */
    @Option(names = "--queue", paramLabel = "QUEUE", description = "The named queue (default: default).")
    void setQueue(String queue) {
        if (queue.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--queue is empty; give a configured queue's name, "
                    + "or leave the option out for the default queue");
        }
        this.queue = queue;
    }

    /** Whether {@code --dedup-key} was given: the scheduler's store is then asked whether a job holds the key. */
    boolean hasDeduplicationKey() {
        return deduplicationKey != null;
    }

    /** The queue the job goes to: {@code --queue}, else the default queue. */
    String queueOrDefault() {
        return queue != null ? queue : JobOptions.DEFAULT_QUEUE;
    }

    @Option(names = "--dedup-key", paramLabel = "KEY",
            description = "While a job with this key is waiting, delayed or running, enqueueing again returns it "
                    + "(memory provider; SQS FIFO: for 5 minutes, and a command, being another process, prints "
                    + "its own id while SQS drops the message; see docs/sqs.md).")
    void setDeduplicationKey(String key) {
        if (key.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--dedup-key is empty; give a key such as "
                    + "email:send:42, or leave the option out");
        }
        this.deduplicationKey = key;
    }

    @Option(names = "--max-attempts", paramLabel = "N", description = "Runs in all, the first included (default 3).")
    void setMaxAttempts(int attempts) {
        if (attempts < 1) {
            throw new ParameterException(spec.commandLine(), "--max-attempts must be ≥ 1, got " + attempts
                    + "; 1 runs the job once, with no retry");
        }
        this.maxAttempts = attempts;
    }

    /**
     * Under 1 ms, or over {@link Long#MAX_VALUE} ms, too is refused here, naming the option, as the job's options
     * would refuse it: they did so only once the queue was open, so with the provider or the scheduler's database out
     * of reach that failure was shown (exit 1) instead, and otherwise in the builder's words (an ISO-8601 duration,
     * {@code Duration.ofDays(365)} as the fix). Read here, not by a converter, so that one too large for a duration
     * to hold ({@code 99999999999999999999s}) is refused so too, not as "too large for a duration", naming no limit.
     */
    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Time limit of one attempt, e.g. 30s or 5m (default 30s).")
    void setTimeout(String written) {
        if (DurationFormat.isTooLarge(written)) {
            // escaped and cut, as --delay's: a value read from a file ("$(cat t)") split the line with its newline
            throw longerThanAJobCarries(UntrustedText.escape(written.strip(), SHOWN_CHARS));
        }
        // not "has no unit; write 0ms, 0s, 0m or 0h", each refused below; -0 is 0, as -0s is (it was "negative")
        if (written.strip().matches("0+") || Arguments.DurationArgument.isMinusZero(written)) {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive, got 0" + LEAVE_OUT_TIMEOUT);
        }
        Duration timeout;
        try {
            timeout = new Arguments.DurationArgument(Duration.ofMillis(1), Capabilities.UNLIMITED_TIMEOUT)
                    .convert(written);
        } catch (TypeConversionException notADuration) {
            // as picocli says a converter's refusal
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--timeout': "
                    + notADuration.getMessage());
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive, got "
                    + DurationFormat.format(timeout) + LEAVE_OUT_TIMEOUT);
        }
        if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1ms, got "
                    + DurationFormat.format(timeout) + ": a job's timeout travels in whole milliseconds");
        }
        if (timeout.compareTo(Capabilities.UNLIMITED_TIMEOUT) > 0) {
            throw longerThanAJobCarries(DurationFormat.formatExact(timeout));
        }
        this.timeout = timeout;
    }

    private ParameterException longerThanAJobCarries(String given) {
        return new ParameterException(spec.commandLine(), "--timeout must be at most "
                + DurationFormat.format(Capabilities.UNLIMITED_TIMEOUT) + " (" + Long.MAX_VALUE + " ms), got " + given
                + ": a job's timeout travels in whole milliseconds; for no practical limit give a long one, such as "
                + "365d");
    }

    /** {@code --queue}, or null without it. */
    @Nullable String queue() {
        return queue;
    }

    /** A builder with what was given set. */
    EnqueueOptions.Builder toBuilder() {
        EnqueueOptions.Builder builder = EnqueueOptions.builder();
        if (queue != null) {
            builder.queue(queue);
        }
        if (maxAttempts != null) {
            builder.maxAttempts(maxAttempts);
        }
        if (timeout != null) {
            builder.timeout(timeout);
        }
        if (priority != null) {
            builder.priority(priority);
        }
        if (deduplicationKey != null) {
            builder.deduplicationKey(deduplicationKey);
        }
        return builder;
    }
}
