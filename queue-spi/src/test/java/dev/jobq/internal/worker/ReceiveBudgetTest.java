package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code jobq run --max-jobs}' receive budget, shared by a worker's poll loops. */
class ReceiveBudgetTest {

    @Test
    @DisplayName("the last receive, given back by an empty queue's loop while another loop waits, goes to that loop: "
            + "the empty queue's loop neither takes it straight back nor through a wait of its own")
    void anEmptyQueuesLoopLeavesTheLastReceiveToAWaitingLoop() throws Exception {
        var budget = new ReceiveBudget(1);
        assertThat(budget.take(1)).as("the empty queue's loop takes the last receive for its long poll").isEqualTo(1);
        var waiter = CompletableFuture.supplyAsync(() -> {
            try {
                long ticket = budget.awaitLeft();
                return budget.takeAfterWait(1, ticket);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> budget.waiting() == 1);

        budget.giveBack(1, true); // its poll found nothing
        // Before, a plain give-back: the empty queue's loop, running on, took it back before the waiter woke.
        assertThat(budget.take(1)).as("taken straight back").isZero();
        var emptyLoopAgain = CompletableFuture.supplyAsync(() -> {
            try {
                long ticket = budget.awaitLeft();
                return budget.takeAfterWait(1, ticket);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(waiter.get(10, TimeUnit.SECONDS)).as("the waiting loop's take").isEqualTo(1);
        assertThat(emptyLoopAgain).as("the empty queue's loop, waiting now in its turn").isNotDone();
        budget.giveBack(1, true); // the other loop's receive found nothing either: the one waiting now gets it
        assertThat(emptyLoopAgain.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    @DisplayName("receives given back with no loop waiting stay free for anyone")
    void withNoOneWaitingNothingIsHeld() {
        var budget = new ReceiveBudget(3);
        assertThat(budget.take(3)).isEqualTo(3);
        budget.giveBack(2, true);
        assertThat(budget.take(5)).isEqualTo(2);
    }
}
