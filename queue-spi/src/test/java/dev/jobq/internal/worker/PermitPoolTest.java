package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PermitPoolTest {

    @Test
    void grantsWhateverIsFreeUpToTheAsk() throws InterruptedException {
        var pool = new PermitPool(5, 1);
        assertThat(pool.acquireUpTo(3, 0)).isEqualTo(3);
        assertThat(pool.acquireUpTo(10, 0)).isEqualTo(2);
        pool.release(4);
        assertThat(pool.acquireUpTo(10, 0)).isEqualTo(4);
    }

    @Test
    void waitsWhileNoPermitIsFree() throws InterruptedException {
        var pool = new PermitPool(1, 1);
        assertThat(pool.acquireUpTo(1, 0)).isEqualTo(1);
        var granted = new AtomicInteger();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                granted.set(pool.acquireUpTo(5, 0));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> waiter.getState() == Thread.State.WAITING);
        assertThat(granted).hasValue(0);
        pool.release(1);
        assertThat(waiter.join(Duration.ofSeconds(5))).isTrue();
        assertThat(granted).hasValue(1);
    }

    @Test
    void earlierTiersAreServedFirst() throws InterruptedException {
        var pool = new PermitPool(1, 2);
        pool.acquireUpTo(1, 0);
        var order = new StringBuffer();
        var lowWaiting = new CountDownLatch(1);
        Thread low = Thread.ofVirtual().start(() -> {
            lowWaiting.countDown();
            try {
                pool.acquireUpTo(1, 1);
                order.append("low ");
                pool.release(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(lowWaiting.await(5, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> low.getState() == Thread.State.WAITING);
        Thread high = Thread.ofVirtual().start(() -> {
            try {
                pool.acquireUpTo(1, 0);
                order.append("high ");
                pool.release(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> high.getState() == Thread.State.WAITING);
        pool.release(1);
        assertThat(high.join(Duration.ofSeconds(5))).isTrue();
        assertThat(low.join(Duration.ofSeconds(5))).isTrue();
        assertThat(order.toString()).isEqualTo("high low ");
    }

    @Test
    void gatherTakesPermitsAsTheyComeBackUpToTheAsk() throws InterruptedException {
        var pool = new PermitPool(5, 1);
        assertThat(pool.acquireUpTo(5, 0)).isEqualTo(5);
        var gathered = new AtomicInteger(-1);
        Thread gatherer = Thread.ofVirtual().start(() -> {
            try {
                gathered.set(pool.gather(3, 0, TimeUnit.SECONDS.toNanos(30)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> gatherer.getState() == Thread.State.TIMED_WAITING);
        pool.release(1);
        pool.release(4);
        assertThat(gatherer.join(Duration.ofSeconds(5))).isTrue();
        assertThat(gathered).hasValue(3);
        assertThat(pool.available()).isEqualTo(2);
    }

    @Test
    void gatherReturnsWhatItHasWhenTheWaitEnds() throws InterruptedException {
        var pool = new PermitPool(5, 1);
        assertThat(pool.acquireUpTo(4, 0)).isEqualTo(4);
        assertThat(pool.gather(3, 0, TimeUnit.MILLISECONDS.toNanos(1))).isEqualTo(1);
        assertThat(pool.gather(3, 0, 0)).isZero();
    }

    @Test
    void awaitAllReturnedSeesEveryPermitBack() throws InterruptedException {
        var pool = new PermitPool(2, 1);
        pool.acquireUpTo(2, 0);
        assertThat(pool.awaitAllReturned(10, TimeUnit.MILLISECONDS)).isFalse();
        pool.release(2);
        assertThat(pool.awaitAllReturned(1, TimeUnit.SECONDS)).isTrue();
    }
}
