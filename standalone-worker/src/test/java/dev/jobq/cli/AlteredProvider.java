package dev.jobq.cli;

import dev.jobq.DeadLetters;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real memory provider with things a test can change: whether it shows its dead letters (SQS-like
 * providers do not), whether reading its stats fails (an unreachable provider) or waits without an
 * answer (a provider behind a network that drops packets), and whether receiving fails while the stats
 * still read (SQS credentials allowed GetQueueAttributes but denied ReceiveMessage).
 */
public final class AlteredProvider extends ForwardingQueueProvider {

    private final boolean showsDeadLetters;
    private final AtomicReference<RuntimeException> statsFailure = new AtomicReference<>();
    private final AtomicReference<Error> statsError = new AtomicReference<>();
    private final AtomicReference<RuntimeException> receiveFailure = new AtomicReference<>();
    private final AtomicReference<CountDownLatch> statsAnswer = new AtomicReference<>(new CountDownLatch(0));
    private final AtomicInteger statsUnderWay = new AtomicInteger();

    public AlteredProvider(boolean showsDeadLetters) {
        super(MemoryProviderFactory.builder().build());
        this.showsDeadLetters = showsDeadLetters;
    }

    /** From now on {@link #stats()} throws {@code failure}; null makes it work again. */
    public void failStats(RuntimeException failure) {
        statsFailure.set(failure);
    }

    /** From now on {@link #stats()} throws {@code error} (a provider's jar gone, say); null makes it work again. */
    public void failStats(Error error) {
        statsError.set(error);
    }

    /** From now on {@link #receive} throws {@code failure}; null makes it work again. */
    public void failReceives(RuntimeException failure) {
        receiveFailure.set(failure);
    }

    @Override
    public List<ReceivedJob> receive(int max, Duration wait) {
        RuntimeException failure = receiveFailure.get();
        if (failure != null) {
            throw failure;
        }
        return super.receive(max, wait);
    }

    /** From now on {@link #stats()} answers only once {@code answer} is counted down. */
    public void holdStats(CountDownLatch answer) {
        statsAnswer.set(answer);
    }

    /** Calls of {@link #stats()} under way now (held, or about to answer). */
    public int statsReadsUnderWay() {
        return statsUnderWay.get();
    }

    @Override
    public ProviderStats stats() {
        statsUnderWay.incrementAndGet();
        try {
            statsAnswer.get().await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            statsUnderWay.decrementAndGet();
        }
        RuntimeException failure = statsFailure.get();
        if (failure != null) {
            throw failure;
        }
        Error error = statsError.get();
        if (error != null) {
            throw error;
        }
        return super.stats();
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        return showsDeadLetters ? super.deadLetters() : Optional.empty();
    }
}
