package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The first signal asks for a drain, a second halts. The real-signal test raises INT in this JVM
 * while the handlers are installed (caught, so the test JVM lives on); {@code WorkerProcessIT}
 * sends TERM and INT to a real {@code jobq} process.
 */
class OsSignalsTest {

    private final List<Integer> halts = new CopyOnWriteArrayList<>();

    @Test
    void firstSignalRequestsTheStopAndTheSecondHaltsWith128PlusItsNumber() throws Exception {
        var signals = new OsSignals(halts::add);
        var released = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try {
                signals.awaitStop();
                released.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        signals.onSignal("TERM", 15);
        assertThat(released.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(halts).isEmpty();

        signals.onSignal("INT", 2);
        assertThat(halts).containsExactly(130);
        signals.close();
    }

    @Test
    void realIntSignalIsCaughtWhileArmedAndTheJvmsHandlerIsBackAfterClose() throws Exception {
        SignalHandler before = Signal.handle(new Signal("INT"), s -> { });
        Signal.handle(new Signal("INT"), before);
        var signals = new OsSignals(halts::add);
        signals.arm();
        try {
            Signal.raise(new Signal("INT"));
            var stopped = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try {
                    signals.awaitStop();
                    stopped.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(stopped.await(5, TimeUnit.SECONDS)).as("the raised INT requested the stop").isTrue();

            Signal.raise(new Signal("INT"));
            await().atMost(Duration.ofSeconds(5)).until(() -> halts.equals(List.of(130)));
        } finally {
            signals.close();
        }
        var restored = Signal.handle(new Signal("INT"), before);
        // sun.misc wraps the JVM's handler anew on each call: compare what is wrapped
        assertThat(restored).as("close() put back the handler that was there before").hasToString(before.toString());
    }
}
