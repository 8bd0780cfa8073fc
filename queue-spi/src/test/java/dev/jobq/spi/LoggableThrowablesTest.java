package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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
    void messageOfSaysWhatGetMessageThrewAndSimpleNameNamesAnAnonymousClass() {
        RuntimeException anonymous = new IllegalStateException("connection lost") { };
        assertThat(LoggableThrowables.simpleName(anonymous.getClass())).matches("LoggableThrowablesTest\\$\\d+");
        assertThat(LoggableThrowables.simpleName(IllegalStateException.class)).isEqualTo("IllegalStateException");
        assertThat(LoggableThrowables.messageOf(anonymous)).isEqualTo("connection lost");
        assertThat(LoggableThrowables.messageOf(new IllegalStateException())).isNull();
        var plain = new IllegalStateException("fine", new RuntimeException("cause"));
        assertThat(LoggableThrowables.loggable(plain)).isSameAs(plain);
    }
}
