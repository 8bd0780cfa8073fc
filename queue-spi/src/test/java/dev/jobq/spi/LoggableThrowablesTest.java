package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The public contract provider authors rely on; the bounds themselves are pinned by {@code FailurePolicyTest}. */
class LoggableThrowablesTest {

    @Test
    void aDriversExceptionWhoseEveryPartThrowsIsLoggedAsACopyThatReadsWithoutAThrow() {
        RuntimeException error = new IllegalStateException("connection lost") {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("session closed");
            }

            @Override
            public String toString() {
                throw new UnsupportedOperationException("toString");
            }

            @Override
            public StackTraceElement[] getStackTrace() {
                throw new UnsupportedOperationException("stack trace");
            }
        };
        error.addSuppressed(new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("suppressed, closed too");
            }
        });
        Throwable root = error;
        for (int i = 0; i < 10_000; i++) {
            root = new RuntimeException("level " + i, root);
        }

        Throwable copy = LoggableThrowables.loggable(root);

        assertThat(copy).isNotSameAs(root);
        var printed = new StringWriter();
        copy.printStackTrace(new PrintWriter(printed)); // walks message, toString(), causes and suppressed, as a log does
        assertThat(printed.toString()).contains("java.lang.RuntimeException: level 9999")
                .contains("more causes left out of the log");

        Throwable alone = LoggableThrowables.loggable(error);
        var printedAlone = new StringWriter();
        alone.printStackTrace(new PrintWriter(printedAlone));
        assertThat(printedAlone.toString())
                .contains("LoggableThrowablesTest$1: (its getMessage() threw UnsupportedOperationException: "
                        + "session closed)")
                .contains("(its getMessage() threw UnsupportedOperationException: suppressed, closed too)");
    }

    @Test
    void aChainWhoseGetCauseMakesANewCauseEachTimeIsReadOnlyToABound() {
        var made = new AtomicInteger();
        Throwable error = new MadeOnRead(0, made);

        Throwable copy = LoggableThrowables.loggable(error);

        // Before, the copy walked the whole chain however long: one getCause() wraps a cyclic chain in new
        // adapters for ever, and the logging thread ran out of memory. 200,000 causes stand in for endless here.
        assertThat(made.get()).as("causes made by reading the chain").isLessThan(20_000);
        var printed = new StringWriter();
        copy.printStackTrace(new PrintWriter(printed));
        assertThat(printed.toString()).contains("MadeOnRead: level 0")
                .contains("(10000 or more causes left out of the log)");
    }

    /** An adapter whose getCause() wraps what it adapts anew at each call, 200,000 deep. */
    private static final class MadeOnRead extends RuntimeException {
        private final int level;
        private final AtomicInteger made;

        MadeOnRead(int level, AtomicInteger made) {
            super("level " + level, null, false, false);
            this.level = level;
            this.made = made;
        }

        @Override
        public synchronized Throwable getCause() {
            if (level >= 200_000) {
                return null;
            }
            made.incrementAndGet();
            return new MadeOnRead(level + 1, made);
        }
    }

    @Test
    void messageOfSaysWhatGetMessageThrewAndSimpleNameNamesAnAnonymousClass() {
        RuntimeException anonymous = new IllegalStateException("connection lost") { };
        assertThat(LoggableThrowables.simpleName(anonymous.getClass())).matches("LoggableThrowablesTest\\$\\d+");
        assertThat(LoggableThrowables.simpleName(IllegalStateException.class)).isEqualTo("IllegalStateException");
        assertThat(LoggableThrowables.messageOf(anonymous)).isEqualTo("connection lost");
        assertThat(LoggableThrowables.messageOf(new IllegalStateException())).isNull();
        var plain = new IllegalStateException("fine", new RuntimeException("cause"));
        assertThat(LoggableThrowables.loggable(plain)).isSameAs(plain);
    }

    @Test
    void aPasswordAcrossTheCutIsMaskedBeforeTheCut() {
        // Cut first, the cut went through the password: "jobq:hunter… (23 more characters)", no '@' for a mask to find.
        String message = "x".repeat(970) + " jdbc:postgresql://jobq:hunter2secret@db.example/jobs";

        assertThat(LoggableThrowables.oneLine(message))
                .isEqualTo("x".repeat(970) + " jdbc:postgresql://jobq:****@d… (14 more characters)");
        var chain = new IllegalStateException("firing failed", new RuntimeException(message));
        assertThat(LoggableThrowables.causeOf(LoggableThrowables.loggable(chain))).hasMessage(
                "java.lang.RuntimeException: " + "x".repeat(970) + " jdbc:postgresql://jobq:****@d… "
                        + "(14 more characters)");
        String shortOne = "no route to jdbc:postgresql://jobq:hunter2secret@db.example/jobs";
        assertThat(LoggableThrowables.oneLine(shortOne)).as("a short message reaches the maskers whole")
                .isEqualTo(shortOne);
    }

    @Test
    void aCopysShortMessageIsMaskedForALogWithNoMaskOfItsOwn() {
        // copied for its long first message; its cause's short message goes to a layout that may mask nothing
        String shortOne = "no route to jdbc:postgresql://jobq:hunter2secret@db.example/jobs";
        var chain = new IllegalStateException("x".repeat(2_000), new RuntimeException(shortOne));

        assertThat(LoggableThrowables.causeOf(LoggableThrowables.loggable(chain)))
                .hasMessage("java.lang.RuntimeException: no route to jdbc:postgresql://jobq:****@db.example/jobs");
    }

    @Test
    void aGetMessageThatThrowsAnErrorIsToldNotThrown() {
        // Its class's jar gone, its own recursion, a checked exception thrown sneakily: each threw out of the log-safe
        // copy, and out of the description of a handler's failure, the attempt unsettled until its lease ended.
        RuntimeException classGone = new IllegalStateException("rows") {
            @Override
            public String getMessage() {
                throw new NoClassDefFoundError("com/example/Rows");
            }
        };
        RuntimeException recursive = new IllegalStateException() {
            @Override
            public String getMessage() {
                return getMessage();
            }
        };
        RuntimeException sneaky = new IllegalStateException() {
            @Override
            public String getMessage() {
                return LoggableThrowablesTest.<RuntimeException>sneakyThrow(new java.io.IOException("closed"));
            }
        };

        assertThat(LoggableThrowables.messageOf(classGone))
                .isEqualTo("(its getMessage() threw NoClassDefFoundError: com/example/Rows)");
        assertThat(LoggableThrowables.messageOf(recursive)).isEqualTo("(its getMessage() threw StackOverflowError)");
        assertThat(LoggableThrowables.messageOf(sneaky)).isEqualTo("(its getMessage() threw IOException: closed)");
        assertThat(LoggableThrowables.loggable(classGone)).hasMessage(classGone.getClass().getName()
                + ": (its getMessage() threw NoClassDefFoundError: com/example/Rows)");
    }

    @Test
    void aGetMessageThatRunsOutOfMemoryIsHandedOn() {
        // The JVM's own failure is not the throwable's to tell: it goes on to whoever stops the process on it.
        RuntimeException outOfMemory = new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new OutOfMemoryError("Java heap space");
            }
        };

        assertThatThrownBy(() -> LoggableThrowables.messageOf(outOfMemory)).isInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(() -> LoggableThrowables.loggable(outOfMemory)).isInstanceOf(OutOfMemoryError.class);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> String sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }
}
