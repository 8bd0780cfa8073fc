package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jobq.Backoff;
import dev.jobq.NonRetryableJobException;
import dev.jobq.internal.runtime.UserCode;
import dev.jobq.spi.Failure;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class FailurePolicyTest {

    private final Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(1));

    @Test
    void retriesWithTheBackoffWhileAttemptsRemain() {
        Failure failure = FailurePolicy.decide(new IllegalStateException("boom"), 2, 3, backoff, backoff, "report");
        assertThat(failure).isEqualTo(Failure.retryAfter(Duration.ofSeconds(2), "IllegalStateException: boom"));
    }

    @Test
    void theLastAttemptGoesDead() {
        Failure failure = FailurePolicy.decide(new IllegalStateException("boom"), 3, 3, backoff, backoff, "report");
        assertThat(failure).isEqualTo(Failure.dead("IllegalStateException: boom (attempt 3 of 3)"));
    }

    @Test
    void nonRetryableGoesDeadAtOnce() {
        Failure failure = FailurePolicy.decide(new NonRetryableJobException("no such user"), 1, 5, backoff, backoff,
                "report");
        assertThat(failure).isEqualTo(Failure.dead("not retryable: NonRetryableJobException: no such user"));
    }

    @Test
    void describesTheRootCause() {
        var error = new RuntimeException("call failed", new IOException("connection reset"));
        assertThat(FailurePolicy.describe(error))
                .isEqualTo("RuntimeException: call failed (caused by IOException: connection reset)");
    }

    @Test
    void theRootCauseIsReadToABoundOfCausesAndACutChainSaysSo() {
        var made = new AtomicInteger();
        // Before, the walk read the chain however long: one getCause() that wraps a cyclic chain in new adapters for
        // ever ran the handler's thread out of memory, its attempt left to its timeout. 200,000 stand in for endless.
        String text = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> FailurePolicy.describe(new MadeOnRead(0, 200_000, made)));
        assertThat(made.get()).as("causes made by reading the chain").isEqualTo(FailurePolicy.MAX_WALKED_CAUSES + 1);
        assertThat(text).isEqualTo("MadeOnRead: level 0 (caused by MadeOnRead: "
                + "level 10000, the 10000th cause, where the description stops reading the chain)");

        // A chain within the bound, the deepest one, is still described by its root.
        assertThat(FailurePolicy.describe(new MadeOnRead(0, FailurePolicy.MAX_WALKED_CAUSES, new AtomicInteger())))
                .isEqualTo("MadeOnRead: level 0 (caused by MadeOnRead: level 10000)");
    }

    /** An adapter whose getCause() wraps what it adapts anew at each call, {@code deepest} deep. */
    private static final class MadeOnRead extends RuntimeException {
        private final int level;
        private final int deepest;
        private final AtomicInteger made;

        MadeOnRead(int level, int deepest, AtomicInteger made) {
            super("level " + level, null, false, false);
            this.level = level;
            this.deepest = deepest;
            this.made = made;
        }

        @Override
        public synchronized Throwable getCause() {
            if (level >= deepest) {
                return null;
            }
            made.incrementAndGet();
            return new MadeOnRead(level + 1, deepest, made);
        }
    }

    static final class NeitherExceptionNorError extends Throwable {
    }

    /** Holds an anonymous exception one class down, whose binary name is {@code FailurePolicyTest$Nested$1}. */
    static final class Nested {
        static final RuntimeException UNREADABLE = new IllegalStateException("session closed") {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("proxy") { };
            }
        };
    }

    @Test
    void anAnonymousExceptionIsNamedByItsClassWhereverTheErrorNamesOne() {
        class LocalFailure extends RuntimeException {
            LocalFailure(String message, Throwable cause) {
                super(message, cause);
            }
        }
        var timeout = new RuntimeException("timeout") { };
        String timeoutName = timeout.getClass().getName().substring(getClass().getPackageName().length() + 1);
        // A local class has a simple name; an anonymous one as the cause, in a nested class, or thrown by
        // getMessage() has none: each read ": timeout", ": (its getMessage() threw : proxy)".
        assertThat(timeoutName).matches("FailurePolicyTest\\$\\d+");
        assertThat(FailurePolicy.describe(new LocalFailure("call failed", timeout)))
                .isEqualTo("LocalFailure: call failed (caused by " + timeoutName + ": timeout)");
        assertThat(FailurePolicy.describe(Nested.UNREADABLE))
                .isEqualTo("FailurePolicyTest$Nested$1: (its getMessage() threw FailurePolicyTest$Nested$1$1: proxy)");
    }


    @SuppressWarnings("unchecked")
    private static <T extends Throwable> Duration sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    private static Duration recurse(int depth) {
        return recurse(depth + 1);
    }

    @Test
    void backoffThrowingAThrowableOfAnyKindIsReplacedByTheDefaultForThatRetry() {
        // Before, both went on through decide(), out of the attempt, which its provider was never told.
        Backoff odd = failedAttempt -> sneakyThrow(new NeitherExceptionNorError());
        Backoff overflowing = failedAttempt -> recurse(0);
        for (Backoff broken : new Backoff[] {odd, overflowing}) {
            Failure failure = FailurePolicy.decide(new IllegalStateException("boom"), 1, 3, broken, broken, "report");
            assertThat(failure).isInstanceOf(Failure.RetryAfter.class);
            assertThat(((Failure.RetryAfter) failure).delay()).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        }
    }

    @Test
    void messageIsOneLineCutToItsBoundNeverBetweenTheHalvesOfAnEmoji() {
        assertThat(FailurePolicy.oneLine("a\nb\r\tc\u0007")).isEqualTo("a\\nb\\r\\tc\\u0007");
        String emojiAtTheCut = "x".repeat(FailurePolicy.MAX_MESSAGE_CHARS - 1) + "😀" + "y";
        assertThat(FailurePolicy.oneLine(emojiAtTheCut))
                .isEqualTo("x".repeat(FailurePolicy.MAX_MESSAGE_CHARS - 1) + "… (3 more characters)");
        assertThat(FailurePolicy.oneLine("short")).isEqualTo("short");
    }

    @Test
    void logGetsACopyCutAfterItsBoundOfCausesWithTheOriginalStackTraces() {
        RuntimeException error = new RuntimeException("root");
        for (int i = 0; i < 100; i++) {
            error = new RuntimeException("level " + i, error);
        }
        Throwable copy = FailurePolicy.loggable(error);
        assertThat(copy).isNotSameAs(error).hasMessage("java.lang.RuntimeException: level 99");
        assertThat(copy.getStackTrace()).isEqualTo(error.getStackTrace());
        int depth = 0;
        Throwable last = copy;
        for (Throwable t = copy; t != null; t = t.getCause()) {
            depth++;
            last = t;
        }
        assertThat(depth).isEqualTo(FailurePolicy.MAX_LOGGED_CAUSES + 1);
        assertThat(last).hasMessage("(69 more causes left out of the log)");
        var plain = new IllegalStateException("fine", new RuntimeException("cause"));
        assertThat(FailurePolicy.loggable(plain)).as("a throwable the log can take is logged as it is").isSameAs(plain);
    }

    @Test
    void theLogsCopyKeepsSuppressedExceptionsBounded() {
        // A try-with-resources whose close() threw: the body's exception (here with a message too long for the log,
        // so the log gets a copy) carries close()'s, with the real cause, as suppressed.
        var closeFailed = new IllegalStateException("connection reset while closing",
                new IOException("broken pipe"));
        var error = new RuntimeException("x".repeat(5_000));
        error.addSuppressed(closeFailed);
        for (int i = 0; i < 20; i++) {
            error.addSuppressed(new IllegalStateException("suppressed " + i));
        }
        Throwable copy = FailurePolicy.loggable(error);
        assertThat(copy).isNotSameAs(error);
        // Before, the copy had no suppressed exceptions: the log lost close()'s failure.
        Throwable[] suppressed = copy.getSuppressed();
        assertThat(suppressed).hasSize(FailurePolicy.MAX_LOGGED_SUPPRESSED + 1);
        assertThat(suppressed[0]).hasMessage("java.lang.IllegalStateException: connection reset while closing");
        assertThat(suppressed[0].getStackTrace()).isEqualTo(closeFailed.getStackTrace());
        assertThat(suppressed[0].getCause()).hasMessage("java.io.IOException: broken pipe");
        assertThat(suppressed[FailurePolicy.MAX_LOGGED_SUPPRESSED])
                .hasMessage("(" + (21 - FailurePolicy.MAX_LOGGED_SUPPRESSED) + " more suppressed left out of the log)");

        // A suppressed exception's own message is bounded, and one too long makes the log take a copy.
        var fine = new IllegalStateException("fine");
        fine.addSuppressed(new IllegalStateException("y".repeat(10_000)));
        Throwable fineCopy = FailurePolicy.loggable(fine);
        assertThat(fineCopy).isNotSameAs(fine);
        assertThat(fineCopy.getSuppressed()).singleElement().satisfies(t ->
                assertThat(t.getMessage()).hasSizeLessThan(1_200).endsWith("(9000 more characters)"));

        // Suppressed exceptions that suppress each other, or the error itself, are copied once.
        var a = new IllegalStateException("z".repeat(5_000));
        var b = new IllegalStateException("b");
        a.addSuppressed(b);
        b.addSuppressed(a);
        b.addSuppressed(new IllegalStateException("c"));
        Throwable cycleCopy = FailurePolicy.loggable(a);
        assertThat(cycleCopy.getSuppressed()).singleElement().satisfies(t -> {
            assertThat(t).hasMessage("java.lang.IllegalStateException: b");
            assertThat(t.getSuppressed()).extracting(Throwable::getMessage)
                    .containsExactly("java.lang.IllegalStateException: c");
        });
    }

    @Test
    void timeoutsRetryLikeFailures() {
        assertThat(FailurePolicy.timedOut(Duration.ofSeconds(30), 1, 2, backoff, backoff, "report"))
                .isEqualTo(Failure.retryAfter(Duration.ofSeconds(1), "timed out after 30s"));
        assertThat(FailurePolicy.timedOut(Duration.ofMillis(200), 2, 2, backoff, backoff, "report"))
                .isEqualTo(Failure.dead("timed out after 200ms (attempt 2 of 2)"));
    }

    @Test
    void negativeDelayRetriesAtOnceAfterAFailureAndATimeout() {
        Backoff negative = failedAttempt -> Duration.ofSeconds(-1);
        assertThat(FailurePolicy.decide(new IllegalStateException("boom"), 1, 3, negative, backoff, "report"))
                .isEqualTo(Failure.retryAfter(Duration.ZERO, "IllegalStateException: boom"));
        assertThat(FailurePolicy.timedOut(Duration.ofSeconds(30), 1, 3, negative, backoff, "report"))
                .isEqualTo(Failure.retryAfter(Duration.ZERO, "timed out after 30s"));
    }

    @Test
    void aTypesBackoffThatThrowsOrReturnsNullIsReplacedByTheWorkersDefaultForThatRetry() {
        Backoff workerDefault = Backoff.fixed(Duration.ofMinutes(10));
        for (Backoff broken : brokenBackoffs()) {
            Failure afterFailure = FailurePolicy.decide(new IllegalStateException("boom"), 2, 3, broken, workerDefault,
                    "report");
            Failure afterTimeout = FailurePolicy.timedOut(Duration.ofSeconds(30), 2, 3, broken, workerDefault,
                    "report");
            // Before, Backoff.defaultBackoff()'s 2 s (plus jitter) after attempt 2, whatever the worker's default said.
            assertThat(afterFailure)
                    .isEqualTo(Failure.retryAfter(Duration.ofMinutes(10), "IllegalStateException: boom"));
            assertThat(afterTimeout).isEqualTo(Failure.retryAfter(Duration.ofMinutes(10), "timed out after 30s"));
        }
    }

    @Test
    void theWorkersDefaultBackoffThatThrowsOrReturnsNullIsReplacedByTheBuiltInDefaultForThatRetry() {
        for (Backoff broken : brokenBackoffs()) {
            Failure afterFailure = FailurePolicy.decide(new IllegalStateException("boom"), 2, 3, broken, broken,
                    "report");
            Failure afterTimeout = FailurePolicy.timedOut(Duration.ofSeconds(30), 2, 3, broken, broken, "report");
            for (Failure failure : List.of(afterFailure, afterTimeout)) {
                assertThat(failure).isInstanceOf(Failure.RetryAfter.class);
                // Backoff.defaultBackoff() after attempt 2: 2 s plus up to 20 % jitter.
                assertThat(((Failure.RetryAfter) failure).delay()).isBetween(Duration.ofSeconds(2), Duration.ofMillis(2400));
            }
        }
    }

    @Test
    void aTypesBackoffThatDidNotReturnWithinTheTimeoutIsReplacedByTheWorkersDefault() {
        Backoff blocked = failedAttempt -> Duration.ofHours(5);
        Failure failure = FailurePolicy.backoffTimedOut(Duration.ofSeconds(30), blocked,
                Backoff.fixed(Duration.ofMinutes(10)), 1, 3, "report");
        assertThat(failure).isInstanceOf(Failure.RetryAfter.class);
        assertThat(((Failure.RetryAfter) failure).delay()).isEqualTo(Duration.ofMinutes(10));
        assertThat(failure.error()).endsWith("a retry takes the delay of the worker's default backoff "
                + "(JobQueueBuilder.backoff or worker.backoff)");

        Failure workersOwn = FailurePolicy.backoffTimedOut(Duration.ofSeconds(30), blocked, blocked, 1, 3, "report");
        assertThat(((Failure.RetryAfter) workersOwn).delay()).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        assertThat(workersOwn.error()).endsWith("a retry takes the delay of the built-in default backoff "
                + "(Backoff.defaultBackoff())");
    }

    @Test
    void aBrokenWorkersDefaultAskedInPlaceOfABlockedTypesBackoffIsNamedAsTheBuildersAndReplacedByTheBuiltIn() {
        var logger = (Logger) LoggerFactory.getLogger(FailurePolicy.class);
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        logger.addAppender(logged);
        Failure failure;
        try {
            failure = FailurePolicy.backoffTimedOut(Duration.ofSeconds(30), failedAttempt -> Duration.ofHours(5),
                    failedAttempt -> null, 1, 3, "report");
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(((Failure.RetryAfter) failure).delay()).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).singleElement()
                .satisfies(line -> assertThat(line).contains("retrying with the built-in default backoff")
                        .endsWith("fix the Backoff given to JobQueueBuilder.backoff"));
    }

    /**
     * A type's backoff that blocked past the timeout, and the worker's default, asked in its place on the timeout's
     * thread, that throws or returns null: the reason names the built-in default, whose delay the retry takes.
     */
    @Test
    void theReasonOfABlockedTypesBackoffNamesTheBuiltInOneWhenTheWorkersDefaultFailsToo() {
        for (Backoff brokenDefault : brokenBackoffs()) {
            Failure failure = FailurePolicy.backoffTimedOut(Duration.ofSeconds(30), failedAttempt -> Duration.ofHours(5),
                    brokenDefault, 1, 3, "report");
            assertThat(((Failure.RetryAfter) failure).delay()).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
            assertThat(failure.error()).endsWith("a retry takes the delay of the built-in default backoff "
                    + "(Backoff.defaultBackoff()) in place of the worker's default backoff (JobQueueBuilder.backoff or "
                    + "worker.backoff), which failed too");
        }
    }

    private static List<Backoff> brokenBackoffs() {
        return List.of(failedAttempt -> {
            throw new IllegalStateException("bad backoff");
        }, failedAttempt -> null);
    }

    @Test
    void theWarningOfANegativeDelayWritesItAsTheOtherDurationsOfTheLog() {
        var logger = (Logger) LoggerFactory.getLogger(FailurePolicy.class);
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        logger.addAppender(logged);
        try {
            FailurePolicy.retryDelay(failedAttempt -> Duration.ofSeconds(-5), backoff, 2, "report");
        } finally {
            logger.detachAppender(logged);
        }

        // DurationFormat's form, as "retrying in 5s" beside it; it read "returned PT-5S" before
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("of job type 'report' returned -5000ms after attempt 2; a delay must be ≥ 0");
    }

    @Test
    void theWarningOfANegativeDelayShorterThanAMillisecondDoesNotWriteItAsZero() {
        var logger = (Logger) LoggerFactory.getLogger(FailurePolicy.class);
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        logger.addAppender(logged);
        try {
            // a jittered backoff a little below zero
            FailurePolicy.retryDelay(failedAttempt -> Duration.ofNanos(-500_000), backoff, 2, "report");
        } finally {
            logger.detachAppender(logged);
        }

        // "returned 0ms …; a delay must be ≥ 0" said a delay the warning allows was refused
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("of job type 'report' returned PT-0.0005S after attempt 2; a delay must be ≥ 0");
    }

    @Test
    void aMisbehavingLambdaBackoffIsNamedByTheClassItWasWrittenIn() {
        var logger = (Logger) LoggerFactory.getLogger(FailurePolicy.class);
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        logger.addAppender(logged);
        try {
            FailurePolicy.retryDelay(failedAttempt -> null, backoff, 1, "report");
            FailurePolicy.retryDelay(failedAttempt -> Duration.ofSeconds(-1), backoff, 1, "report");
        } finally {
            logger.detachAppender(logged);
        }

        // Named "dev.jobq.internal.worker.FailurePolicyTest$$Lambda/0x0000…@5e9f23b4" before.
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).allSatisfy(line -> assertThat(line)
                .startsWith("the backoff (a lambda in " + FailurePolicyTest.class.getName() + ") of job type 'report'")
                .doesNotContain("$$Lambda")).hasSize(2);
    }

    @Test
    void aFactorysBackoffIsNamedByItsFactoryAndArguments() {
        assertThat(UserCode.describe(Backoff.exponential(Duration.ofSeconds(2), Duration.ofMinutes(5))))
                .isEqualTo("Backoff.exponential(2s, 5m)");
        assertThat(UserCode.describe(Backoff.fixed(Duration.ofMillis(1500)))).isEqualTo("Backoff.fixed(1s500ms)");
        assertThat(UserCode.describe(Backoff.list(Duration.ofSeconds(5), Duration.ofMinutes(1))))
                .isEqualTo("Backoff.list(5s, 1m)");
        Duration[] sevenDelays = new Duration[7];
        Arrays.fill(sevenDelays, Duration.ofSeconds(1));
        assertThat(UserCode.describe(Backoff.list(sevenDelays))).as("a long list, cut")
                .isEqualTo("Backoff.list(1s, 1s, 1s, 1s, 1s, … 7 delays in all)");
        assertThat(UserCode.describe(Backoff.none())).isEqualTo("Backoff.none()");
        assertThat(UserCode.describe(Backoff.defaultBackoff())).isEqualTo("Backoff.defaultBackoff()");
        assertThat(UserCode.describe(Backoff.fixed(Duration.ofSeconds(10)).withJitter(0.25)))
                .isEqualTo("Backoff.fixed(10s).withJitter(0.25)");
    }

    @Test
    void aMisbehavingLambdaWithJitterIsNamedByTheClassItWasWrittenIn() {
        var logger = (Logger) LoggerFactory.getLogger(FailurePolicy.class);
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        logger.addAppender(logged);
        try {
            Backoff nullJittered = ((Backoff) failedAttempt -> null).withJitter(0.2);
            FailurePolicy.retryDelay(nullJittered, backoff, 1, "report");
            Backoff negativeJittered = ((Backoff) failedAttempt -> Duration.ofSeconds(-1)).withJitter(0.2);
            FailurePolicy.retryDelay(negativeJittered, backoff, 1, "report");
        } finally {
            logger.detachAppender(logged);
        }

        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).allSatisfy(line -> assertThat(line)
                .startsWith("the backoff (a lambda in " + FailurePolicyTest.class.getName() + ", withJitter(0.2)) of "
                        + "job type 'report'")).hasSize(2);
    }
}
