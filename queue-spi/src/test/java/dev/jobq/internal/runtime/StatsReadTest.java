package dev.jobq.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueueException;
import dev.jobq.QueueStats;
import java.io.IOException;
import java.time.Duration;
import java.util.ServiceConfigurationError;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a stats read's errors say of its queue. */
class StatsReadTest {

    private static final String NAME = "bills\u202Efdp.exe";

    @Test
    @DisplayName("a read the provider does not answer in time names its queue escaped: a U+202E in the name reversed "
            + "the rest of the error, which /health and a scrape's WARN show")
    void aReadNotAnsweredInTimeNamesItsQueueEscaped() throws InterruptedException {
        var release = new CountDownLatch(1);
        var read = new StatsRead(NAME, () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("released");
        }, Duration.ofMillis(50));
        try {
            assertThatThrownBy(read::get).isInstanceOf(JobQueueException.class)
                    .hasMessage("the provider of queue 'bills\\u202efdp.exe' did not answer a stats read within 50ms "
                            + "(it may be out of reach); the read goes on, and the next one starts when it ends")
                    .message().doesNotContain("\u202E");
        } finally {
            release.countDown();
        }
    }

    @Test
    @DisplayName("the read's thread is named with its queue escaped, as its javadoc says: the name was built from the "
            + "raw parameter, and a U+202E reached thread dumps and \"Exception in thread\" lines")
    void theReadsThreadIsNamedWithItsQueueEscaped() {
        var threadName = new AtomicReference<String>();
        var read = new StatsRead(NAME, () -> {
            threadName.set(Thread.currentThread().getName());
            return new QueueStats(NAME, 0, 0, 0, 0, 0, 0, 0, 1, Duration.ZERO, 0);
        }, Duration.ofSeconds(5));

        read.get();

        assertThat(threadName.get()).isEqualTo("jobq-stats-bills\\u202efdp.exe-0").doesNotContain("\u202E");
    }

    @Test
    @DisplayName("a read the caller is interrupted in names its queue escaped")
    void anInterruptedReadNamesItsQueueEscaped() {
        var release = new CountDownLatch(1);
        var read = new StatsRead(NAME, () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new QueueStats(NAME, 0, 0, 0, 0, 0, 0, 0, 1, Duration.ZERO, 0);
        }, Duration.ofSeconds(5));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(read::get).isInstanceOf(JobQueueException.class)
                    .hasMessage("interrupted while reading the stats of queue 'bills\\u202efdp.exe'");
        } finally {
            Thread.interrupted();
            release.countDown();
        }
    }

    @Test
    @DisplayName("a read whose provider throws a checked exception names its queue escaped")
    void aReadFailingWithACheckedExceptionNamesItsQueueEscaped() {
        var read = new StatsRead(NAME, StatsReadTest::sneakyFailure, Duration.ofSeconds(5));
        assertThatThrownBy(read::get).isInstanceOf(JobQueueException.class)
                .hasMessage("reading the stats of queue 'bills\\u202efdp.exe' failed: java.io.IOException: disk gone")
                .message().doesNotContain("\u202E");
    }

    @Test
    @DisplayName("a read whose provider throws an Error tells its message as one line, cut: its toString() went raw "
            + "into the error, a line break and an ESC with it, and a megabyte whole")
    void aReadFailingWithAnErrorTellsItsMessageAsOneLineCut() {
        String message = "provider jar gone\n\u001b[2J" + "x".repeat(5_000);
        var read = new StatsRead(NAME, () -> {
            throw new ServiceConfigurationError(message);
        }, Duration.ofSeconds(5));
        assertThatThrownBy(read::get).isInstanceOf(JobQueueException.class)
                .hasMessage("reading the stats of queue 'bills\\u202efdp.exe' failed: java.util.ServiceConfigurationError: "
                        + "provider jar gone\\n\\u001b[2J" + "x".repeat(978) + "… (4022 more characters)");
    }

    @Test
    @DisplayName("a read whose provider throws an Error with a URL across the cut masks its password before the cut: "
            + "cut first, the URL lost the '@' after it, and /health's mask showed the password's first characters")
    void aReadFailingWithAnErrorMasksAPasswordAcrossTheCut() {
        var read = new StatsRead(NAME, () -> {
            throw new ServiceConfigurationError("x".repeat(980) + " https://jobq:hunter2secret@sqs.example/q");
        }, Duration.ofSeconds(5));
        assertThatThrownBy(read::get).isInstanceOf(JobQueueException.class)
                .hasMessage("reading the stats of queue 'bills\\u202efdp.exe' failed: java.util.ServiceConfigurationError: "
                        + "x".repeat(980) + " https://jobq:****@s… (12 more characters)");
    }

    @Test
    @DisplayName("a read whose provider throws an Error whose getMessage() throws tells what it threw: that threw out "
            + "of the read, in place of the error that names the queue")
    void aReadFailingWithAnUnreadableErrorTellsWhatItsGetMessageThrew() {
        var read = new StatsRead(NAME, () -> {
            throw new ServiceConfigurationError("") {
                @Override
                public String getMessage() {
                    throw new UnsupportedOperationException("session closed");
                }
            };
        }, Duration.ofSeconds(5));
        assertThatThrownBy(read::get).isInstanceOf(JobQueueException.class)
                .hasMessage("reading the stats of queue 'bills\\u202efdp.exe' failed: dev.jobq.internal.runtime."
                        + "StatsReadTest$1: (its getMessage() threw UnsupportedOperationException: session closed)");
    }

    private static QueueStats sneakyFailure() {
        return StatsReadTest.<RuntimeException>sneakyThrow(new IOException("disk gone"));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> QueueStats sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }
}
