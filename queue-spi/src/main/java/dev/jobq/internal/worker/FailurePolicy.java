package dev.jobq.internal.worker;

import dev.jobq.Backoff;
import dev.jobq.NonRetryableJobException;
import dev.jobq.internal.config.WorkerSettings;
import dev.jobq.internal.runtime.UserCode;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Failure;
import dev.jobq.spi.LoggableThrowables;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a failed attempt becomes: a retry after the backoff, or a dead letter. Public for {@link #loggable}
 * and {@link #messageLine} alone, which the failures of listeners ({@code EventBus}) and of listeners of registrations
 * ({@code JobQueueRuntime}) take too.
 */
public final class FailurePolicy {

    private static final Logger log = LoggerFactory.getLogger(FailurePolicy.class);
    /** How much of each message a failure's text keeps (its own, and its root cause's). */
    static final int MAX_MESSAGE_CHARS = LoggableThrowables.MAX_MESSAGE_CHARS;
    /** How many of a chain's throwables the log shows (the first ones); a deeper chain is cut there. */
    static final int MAX_LOGGED_CAUSES = LoggableThrowables.MAX_LOGGED_CAUSES;
    /** How many suppressed exceptions of each throwable the log shows (the first ones). */
    static final int MAX_LOGGED_SUPPRESSED = LoggableThrowables.MAX_LOGGED_SUPPRESSED;
    /** How many throwables, causes and suppressed ones together, the log shows of one failure. */
    static final int MAX_LOGGED_THROWABLES = LoggableThrowables.MAX_LOGGED_THROWABLES;
    /**
     * How many causes {@link #describe} and {@link RootCause} read looking for the root cause, as {@link LoggableThrowables#loggable}'s copy
     * counts those it leaves out: past it, the cause it stopped at stands for the root, and the text says so.
     */
    static final int MAX_WALKED_CAUSES = 10_000;
    /**
     * What replaces the worker's default backoff, for that one retry, when it throws or returns null (a job type's own
     * backoff that does is replaced by the worker's default); the worker's default itself where none is set.
     */
    private static final Backoff BUILT_IN = WorkerSettings.DEFAULT_BACKOFF;
    /** For a backoff asked where nothing cancels it (a timeout's, a shutdown's thread). */
    private static final BooleanSupplier NEVER_CANCELLED = () -> false;
    /** For a backoff asked where no timeout is to be told which one it waits for (a timeout's, a shutdown's thread). */
    private static final Predicate<Backoff> NOBODY_TOLD = replacement -> true;

    private FailurePolicy() {
    }

    /**
     * @param attempt       the attempt that failed, 1-based
     * @param maxAttempts   the job's total attempts
     * @param backoff       the job type's own backoff, or {@code workerDefault} when it has none
     * @param workerDefault the worker's default backoff ({@code JobQueueBuilder.backoff}, {@code worker.backoff}),
     *                      which replaces a job type's own that throws or returns null, for that retry
     * @param type          the job's type, named when its backoff misbehaves
     */
    static Failure decide(Throwable error, int attempt, int maxAttempts, Backoff backoff, Backoff workerDefault,
            String type) {
        return decide(error, describe(error), attempt, maxAttempts, backoff, workerDefault, type, NEVER_CANCELLED,
                NOBODY_TOLD);
    }

    /**
     * As {@link #decide(Throwable, int, int, Backoff, Backoff, String)}, on the handler's thread while its attempt
     * still runs.
     *
     * @param text      {@link #describe} of {@code error}, read by the caller before the backoff is asked
     * @param cancelled true once the worker cancelled the attempt (a timeout, the shutdown, a lost lease), whose
     *                  interrupt may end a backoff that blocks: what it throws then is the worker's doing, and the
     *                  failure decided here is discarded (the cancel settles the attempt), so it is no backoff's fault
     * @param asking    told of {@code workerDefault} just before it is asked in place of {@code backoff}, so that a
     *                  timeout while it blocks names it, and does not ask it again, as it does not {@code backoff};
     *                  false once the worker cancelled the attempt, which settles it: {@code workerDefault} is then
     *                  not asked here (a timeout's record asks it, naming {@code backoff})
     */
    static Failure decide(Throwable error, String text, int attempt, int maxAttempts, Backoff backoff,
            Backoff workerDefault, String type, BooleanSupplier cancelled, Predicate<Backoff> asking) {
        if (error instanceof NonRetryableJobException) {
            return Failure.dead("not retryable: " + text);
        }
        return retryOrDead(text, attempt, maxAttempts, backoff, workerDefault, type, cancelled, asking);
    }

    /** A timed-out attempt: retried like any failure while attempts remain. */
    static Failure timedOut(Duration timeout, int attempt, int maxAttempts, Backoff backoff, Backoff workerDefault,
            String type) {
        String text = "timed out after " + DurationFormat.format(timeout);
        return retryOrDead(text, attempt, maxAttempts, backoff, workerDefault, type);
    }

    /**
     * An attempt timed out while its payload was bound, before its handler started: a deserializer of the payload
     * class's own that blocks, or a payload too big to bind in the job's timeout. Retried as a handler's timeout is.
     */
    static Failure timedOutReadingPayload(Duration timeout, String payloadType, int attempt, int maxAttempts,
            Backoff backoff, Backoff workerDefault, String type) {
        String text = "timed out after " + DurationFormat.format(timeout) + " while its payload was read as "
                + payloadType + ", before its handler started: a deserializer of the payload class's own blocked, or "
                + "the payload is too big to read within the job's timeout, which covers reading it";
        return retryOrDead(text, attempt, maxAttempts, backoff, workerDefault, type);
    }

    /**
     * An attempt whose handler failed and whose backoff, asked for the retry's delay, did not return within the job's
     * timeout (it blocks: I/O, a lock). Retried as a timeout is, after the delay of the backoff that replaces it
     * ({@link #replacementOf}): the job's own backoff is not asked again, on a thread where nothing would bound it.
     */
    static Failure backoffTimedOut(Duration timeout, Backoff backoff, Backoff workerDefault, int attempt,
            int maxAttempts, String type) {
        String text = "timed out after " + DurationFormat.format(timeout) + ": the handler failed, and its backoff ("
                + UserCode.describe(backoff) + ") did not return within the job's timeout, which covers it";
        if (attempt >= maxAttempts) {
            return Failure.dead(text + " (attempt " + attempt + " of " + maxAttempts + ")");
        }
        // Asked before the reason is written, which names the backoff that gave the delay: the worker's default asked
        // in place of a type's own may throw or return null too, and the built-in one then gives it.
        Backoff replacement = replacementOf(backoff, workerDefault);
        Delay delay = retryDelay(replacement, replacement, attempt, type, NEVER_CANCELLED, NOBODY_TOLD);
        return Failure.retryAfter(delay.value(), text + "; a retry takes the delay of "
                + givenBy(delay, replacement, workerDefault));
    }

    /**
     * An attempt whose handler called {@code System.exit}: the JVM is stopping under it, so it can never
     * finish. It counts, as a crash does, so that a job that stops every worker it runs on ends in the
     * dead letters after its attempts instead of being handed back uncounted for ever.
     */
    static Failure exitedTheJvm(int attempt, int maxAttempts, Backoff backoff, Backoff workerDefault, String type) {
        String text = "the handler called System.exit (Runtime.exit), which stopped the worker's JVM under it";
        return retryOrDead(text, attempt, maxAttempts, backoff, workerDefault, type);
    }

    /** A retry after the backoff while attempts remain, else a dead letter saying it was the last. */
    private static Failure retryOrDead(String text, int attempt, int maxAttempts, Backoff backoff,
            Backoff workerDefault, String type) {
        return retryOrDead(text, attempt, maxAttempts, backoff, workerDefault, type, NEVER_CANCELLED, NOBODY_TOLD);
    }

    private static Failure retryOrDead(String text, int attempt, int maxAttempts, Backoff backoff,
            Backoff workerDefault, String type, BooleanSupplier cancelled, Predicate<Backoff> asking) {
        if (attempt >= maxAttempts) {
            return Failure.dead(text + " (attempt " + attempt + " of " + maxAttempts + ")");
        }
        return Failure.retryAfter(retryDelay(backoff, workerDefault, attempt, type, cancelled, asking).value(), text);
    }

    /**
     * What replaces {@code backoff} for one retry when it misbehaves: the worker's default for a job type's own (a team
     * that set ten minutes between retries got a retry after 1 s), the built-in {@link Backoff#defaultBackoff()} for
     * the worker's default itself.
     */
    private static Backoff replacementOf(Backoff backoff, Backoff workerDefault) {
        return backoff == workerDefault ? BUILT_IN : workerDefault;
    }

    /**
     * How a log line or a reason names {@code replacement}, which {@link #replacementOf} gave: the built-in default
     * where no worker's default is set says where to set one, rather than naming a worker's default nobody set.
     */
    private static String nameOf(Backoff replacement, Backoff workerDefault) {
        if (replacement != BUILT_IN) {
            return "the worker's default backoff (JobQueueBuilder.backoff or worker.backoff)";
        }
        return workerDefault == BUILT_IN ? "the built-in default backoff (Backoff.defaultBackoff(); set the worker's "
                + "default with JobQueueBuilder.backoff or worker.backoff)"
                : "the built-in default backoff (Backoff.defaultBackoff())";
    }

    /** Where the user gives {@code backoff}, for a log line saying to fix it. */
    private static String givenIn(Backoff backoff, Backoff workerDefault) {
        return backoff == workerDefault ? "JobQueueBuilder.backoff" : "registerJobHandler or HandlerOptions.backoff";
    }

    /**
     * The wait {@code backoff} gives after {@code attempt}. A backoff is user code, and the attempt
     * must be settled whatever it does, or the job would sit leased until its lease ends: a negative
     * delay means at once (WARN), and one that throws (anything) or returns null is replaced for this retry
     * (ERROR): a job type's own by {@code workerDefault}, the worker's default by {@link Backoff#defaultBackoff()}.
     * Each log line names the backoff, the job type, the bad value and the replacement, or that the attempt was
     * cancelled meanwhile ({@link #retrying}).
     */
    static Duration retryDelay(Backoff backoff, Backoff workerDefault, int attempt, String type) {
        return retryDelay(backoff, workerDefault, attempt, type, NEVER_CANCELLED, NOBODY_TOLD).value();
    }

    /**
     * A retry's delay, and the backoff that gave it: the built-in one where the one asked misbehaved; null where the
     * attempt was cancelled before the worker's default was asked in place of a job type's own ({@link #askInstead}).
     */
    private record Delay(Duration value, @Nullable Backoff by) {
    }

    private static Delay retryDelay(Backoff backoff, Backoff workerDefault, int attempt, String type,
            BooleanSupplier cancelled, Predicate<Backoff> asking) {
        Duration delay;
        try {
            delay = backoff.delay(attempt);
        } catch (Throwable e) {
            // Any Throwable: one that is neither an Exception nor an Error, or a backoff's runaway recursion,
            // went on from here and left the failed attempt untold to the provider until its lease ended.
            Throwable logged = loggableOrNull(e);
            String named = logged == null ? " " + e.getClass().getName() : "";
            if (cancelled.getAsBoolean()) {
                // The worker's own interrupt (a timeout, the shutdown) ended a backoff that blocked: no fault of the
                // backoff's, and this delay is discarded, the cancel settling the attempt. An ERROR here blamed the
                // backoff and named a retry delay that was never used; no other user code is asked for it either.
                log.debug("the backoff ({}) of job type '{}' threw{} after attempt {}, which was cancelled meanwhile",
                        UserCode.describe(backoff), type, named, attempt, logged);
                return new Delay(BUILT_IN.delay(attempt), BUILT_IN);
            }
            Backoff replacement = replacementOf(backoff, workerDefault);
            Delay fallback = replacement == BUILT_IN ? new Delay(BUILT_IN.delay(attempt), BUILT_IN)
                    : askInstead(replacement, attempt, type, cancelled, asking);
            log.error("the backoff ({}) of job type '{}' threw{} after attempt {}; {}: fix the Backoff given to {}",
                    UserCode.describe(backoff), type, named, attempt,
                    retrying(replacement, workerDefault, fallback, cancelled), givenIn(backoff, workerDefault),
                    logged);
            return fallback;
        }
        if (delay == null) {
            Backoff replacement = replacementOf(backoff, workerDefault);
            Delay fallback = replacement == BUILT_IN ? new Delay(BUILT_IN.delay(attempt), BUILT_IN)
                    : askInstead(replacement, attempt, type, cancelled, asking);
            log.error("the backoff ({}) of job type '{}' returned null after attempt {}; {}: a Backoff must return a "
                    + "delay ≥ 0; fix the Backoff given to {}", UserCode.describe(backoff), type, attempt,
                    retrying(replacement, workerDefault, fallback, cancelled), givenIn(backoff, workerDefault));
            return fallback;
        }
        if (delay.isNegative()) {
            log.warn("the backoff ({}) of job type '{}' returned {} after attempt {}; a delay must be ≥ 0, retrying at "
                    + "once", UserCode.describe(backoff), type, DurationFormat.format(delay), attempt);
            return new Delay(Duration.ZERO, backoff);
        }
        return new Delay(delay, backoff);
    }

    /**
     * What the ERROR line of a backoff that misbehaved says of the retry: the replacement and its delay, unless the
     * worker cancelled the attempt meanwhile (a timeout while the worker's default, asked in its place, blocked, or
     * before it was asked, which it then is not): that delay is then discarded, the cancel settling the attempt, and
     * the line named a retry that was not the one taken.
     * Where the worker's default, asked in place of a job type's own, misbehaved too, the built-in default gave the
     * delay (the worker's default's own ERROR comes first), and the line names it: it named the worker's default.
     */
    private static String retrying(Backoff replacement, Backoff workerDefault, Delay fallback,
            BooleanSupplier cancelled) {
        if (fallback.by() == null || cancelled.getAsBoolean()) {
            return "the attempt was cancelled meanwhile (a timeout, the shutdown or a lost lease), which settles it";
        }
        return "retrying with " + givenBy(fallback, replacement, workerDefault) + ", in "
                + DurationFormat.format(fallback.value());
    }

    /**
     * How a log line or a reason names the backoff that gave {@code delay} in place of one that misbehaved:
     * {@code replacement}, or the built-in default where {@code replacement}, the worker's default asked in place of a
     * job type's own, misbehaved too (its own ERROR says so).
     */
    private static String givenBy(Delay delay, Backoff replacement, Backoff workerDefault) {
        return delay.by() == replacement ? nameOf(replacement, workerDefault)
                : nameOf(BUILT_IN, replacement) + " in place of " + nameOf(replacement, workerDefault)
                        + ", which failed too";
    }

    /**
     * The delay of the worker's default {@code replacement}, asked in place of a job type's own that misbehaved; not
     * asked where the worker cancelled the attempt first ({@code asking} false): a type's backoff that returned null
     * once a timeout's interrupt ended it had the handler's thread ask the worker's default, which the timeout's record
     * asks too, and that record, or the handler's thread's WARN, named the worker's default as the one that blocked.
     */
    private static Delay askInstead(Backoff replacement, int attempt, String type, BooleanSupplier cancelled,
            Predicate<Backoff> asking) {
        if (!asking.test(replacement)) {
            return new Delay(BUILT_IN.delay(attempt), null); // discarded: the cancel settles the attempt
        }
        return retryDelay(replacement, replacement, attempt, type, cancelled, asking);
    }

    /**
     * "IllegalStateException: the message", with the root cause when it says more; in a chain deeper than
     * {@link #MAX_WALKED_CAUSES}, the cause the walk stopped at, said to be where it stopped.
     */
    static String describe(Throwable error) {
        String own = nameAndMessage(error);
        // A chain that loops, or that getCause() makes anew at each call, is read to where it comes back or to a bound:
        // walking it for ever left the handler's thread spinning, or out of memory, and its attempt unsettled.
        RootCause root = RootCause.of(error);
        if (root.root() != error) {
            own += " (caused by " + root.text("the description") + ")";
        }
        return own;
    }

    /** {@link LoggableThrowables#causeOf}. */
    public static @Nullable Throwable causeOf(Throwable error) {
        return LoggableThrowables.causeOf(error);
    }

    /**
     * The message of {@code error} as one line of its first {@link #MAX_MESSAGE_CHARS} characters, escaped
     * ({@link #oneLine}: up to six times as long), or its class's name when it has none: for a report that shows the
     * message alone, such as {@code /health}'s.
     */
    public static String messageLine(Throwable error) {
        String message = LoggableThrowables.messageOf(error);
        return message == null ? error.getClass().getName() : oneLine(message);
    }

    /**
     * {@code error}'s class {@linkplain LoggableThrowables#simpleName simple name} and its message
     * {@linkplain #oneLine as one line}, or what its {@code getMessage()} threw instead:
     * {@code IllegalStateException: no rows}.
     */
    public static String nameAndMessage(Throwable error) {
        return nameAndMessage(LoggableThrowables.simpleName(error.getClass()), error);
    }

    /**
     * {@code error} as its {@code toString()} reads, by its class's full name, but with its message
     * {@linkplain #oneLine as one line}, or what its {@code getMessage()} threw instead:
     * {@code java.lang.IllegalStateException: no rows}.
     */
    public static String fullNameAndMessage(Throwable error) {
        return nameAndMessage(error.getClass().getName(), error);
    }

    private static String nameAndMessage(String name, Throwable error) {
        String message = LoggableThrowables.messageOf(error);
        return name + (message == null ? "" : ": " + oneLine(message));
    }

    /** {@link LoggableThrowables#oneLine}. */
    static String oneLine(String message) {
        return LoggableThrowables.oneLine(message);
    }

    /**
     * {@link #loggable}, or null where reading {@code error} ran the JVM out of memory, which LoggableThrowables hands
     * on: a backoff's own OutOfMemoryError is logged and the retry goes by its replacement, but one its exception's
     * getMessage() threw went out of the failure's decision, the attempt unsettled until its lease ended. For what
     * must go on past the failure it logs (the receives too: {@link ReceiveFailures}).
     */
    static @Nullable Throwable loggableOrNull(Throwable error) {
        try {
            return loggable(error);
        } catch (VirtualMachineError unreadable) {
            return null;
        }
    }

    /**
     * {@link #describe}, or where reading {@code error} ran the JVM out of memory, its class's name and what its
     * getMessage() threw ({@code com.example.Oops (its getMessage() threw OutOfMemoryError)}): as {@link
     * #loggableOrNull}.
     */
    static String describeOrName(Throwable error) {
        try {
            return describe(error);
        } catch (VirtualMachineError unreadable) {
            return unreadableName(error, unreadable);
        }
    }

    /** {@code error}'s class's name and the simple name of what reading it threw. */
    public static String unreadableName(Throwable error, Throwable unreadable) {
        return error.getClass().getName() + " (its getMessage() threw "
                + LoggableThrowables.simpleName(unreadable.getClass()) + ")";
    }

    /** {@link LoggableThrowables#loggable}: for the failures of handlers, of listeners and of registrations. */
    public static Throwable loggable(Throwable error) {
        return LoggableThrowables.loggable(error);
    }
}
