package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Batcher: calls grouped into batches of up to ten")
class BatcherTest {

    @Test
    @DisplayName("a lone call goes out at once, alone")
    void loneCallGoesAlone() {
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        var batcher = new Batcher<Integer, String>(recordingInto(batches, e -> Batcher.Outcome.success("ok " + e)));

        assertThat(batcher.submit(7)).isEqualTo("ok 7");
        assertThat(batches).containsExactly(List.of(7));
    }

    @Test
    @DisplayName("callers arriving while a batch is on the wire go out together in the next; a full batch goes at once beside it")
    void callersDuringABatchShareTheNext() throws InterruptedException {
        var wire = new HeldFirstBatch();
        var batcher = new Batcher<Integer, Integer>(wire::send);
        List<Thread> threads = new ArrayList<>();
        var answers = new AtomicInteger();
        threads.add(Thread.ofVirtual().start(() -> answer(batcher, 0, answers)));
        assertThat(wire.firstOnWire.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 15; i++) {
            int n = i;
            threads.add(Thread.ofVirtual().start(() -> answer(batcher, n, answers)));
        }
        // Ten of them made a full batch, which did not wait for the first; five wait for it (the first's sender
        // waits too, for its call on the batch's own thread).
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.get() == 10
                && threads.stream().skip(1).filter(t -> t.getState() == Thread.State.WAITING).count() == 5);
        assertThat(wire.batches).hasSize(2);

        wire.releaseFirst.countDown();
        for (Thread thread : threads) {
            assertThat(thread.join(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(answers).hasValue(16);
        assertThat(wire.batches).hasSize(3);
        assertThat(wire.batches.get(0)).containsExactly(0);
        assertThat(wire.batches.get(1)).hasSize(10);
        assertThat(wire.batches.get(2)).hasSize(5);
    }

    @Test
    @DisplayName("with a stall, callers behind a batch SQS does not answer go out beside it once it has been on the wire "
            + "that long, together, though fewer than ten")
    void callersBehindAStalledBatchGoBesideIt() throws InterruptedException {
        var wire = new HeldFirstBatch();
        var batcher = new Batcher<Integer, Integer>(wire::send, entry -> 0, 0, Batcher.LINGER, Duration.ofSeconds(2));
        var answers = new AtomicInteger();
        Thread first = Thread.ofVirtual().start(() -> answer(batcher, 0, answers));
        assertThat(wire.firstOnWire.await(10, TimeUnit.SECONDS)).isTrue();
        List<Thread> behind = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int n = i;
            behind.add(Thread.ofVirtual().start(() -> answer(batcher, n, answers)));
        }
        // they wait for the held batch first, all three: fewer than ten went out beside it at once
        await().atMost(Duration.ofSeconds(10)).until(() -> wire.batches.size() > 1
                || behind.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));
        assertThat(wire.batches).as("batches before the stall").hasSize(1);
        for (Thread thread : behind) {
            assertThat(thread.join(Duration.ofSeconds(10))).as("a caller behind the held batch").isTrue();
        }
        assertThat(answers).hasValue(3);
        assertThat(wire.batches).hasSize(2);
        assertThat(wire.batches.get(1)).containsExactlyInAnyOrder(1, 2, 3);

        wire.releaseFirst.countDown();
        assertThat(first.join(Duration.ofSeconds(10))).isTrue();
        assertThat(answers).hasValue(4);
    }

    @Test
    @DisplayName("with a stall, a caller that sends a batch sends its own entry in it, not only other callers' entries "
            + "while its own waits behind batches SQS does not answer")
    void aSenderSendsItsOwnEntryBesideHeldBatches() throws InterruptedException {
        var release = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        var batcher = new Batcher<Integer, Integer>(entries -> {
            batches.add(entries);
            if (!entries.contains(99)) { // every batch but the one with entry 99 hangs until released
                try {
                    if (!release.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test did not release the held batches in 20 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return entries.stream().map(Batcher.Outcome::success).toList();
        }, entry -> 0, 0, Batcher.LINGER, Duration.ofMillis(250));
        List<Thread> held = new ArrayList<>();
        try {
            held.add(Thread.ofVirtual().start(() -> batcher.submit(0)));
            await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() == 1);
            // twenty together: a full batch waits, so ten go out beside the first at once; the other ten wait
            held.add(Thread.ofVirtual().start(() -> batcher.submitAll(
                    IntStream.rangeClosed(1, 20).boxed().toList())));
            await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() == 2);

            var answered = new AtomicInteger();
            Thread late = Thread.ofVirtual().start(() -> answer(batcher, 99, answered));
            assertThat(late.join(Duration.ofSeconds(5))).as("the caller of entry 99, which SQS answers at once, "
                    + "answered while the other batches hang; batches sent: " + batches).isTrue();
            assertThat(answered).hasValue(1);
        } finally {
            release.countDown();
            for (Thread thread : held) {
                assertThat(thread.join(Duration.ofSeconds(10))).isTrue();
            }
        }
    }

    @Test
    @DisplayName("after a batch of several, the next sender waits for as many callers, so a group goes out whole")
    void aGroupGoesOutWhole() throws InterruptedException {
        var wire = new HeldFirstBatch();
        var batcher = new Batcher<Integer, Integer>(wire::send, entry -> 0, 0, Duration.ofSeconds(30));
        var answers = new AtomicInteger();
        behindTheFirst(wire, batcher, answers, 3);

        // The group of three comes back one caller at a time: the first waits for the other two.
        List<Thread> group = new ArrayList<>();
        for (int i = 4; i <= 6; i++) {
            int n = i;
            group.add(Thread.ofVirtual().start(() -> answer(batcher, n, answers)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> switch (group.getLast().getState()) {
                        case WAITING, TIMED_WAITING, TERMINATED -> true;
                        default -> false;
                    });
        }
        for (Thread thread : group) {
            assertThat(thread.join(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(answers).hasValue(7);
        assertThat(wire.batches).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5, 6));
    }

    @Test
    @DisplayName("when fewer callers come than last time, the wait ends at the linger and a lone caller then goes at once")
    void aShrunkGroupWaitsOnlyTheLinger() throws InterruptedException {
        var wire = new HeldFirstBatch();
        var batcher = new Batcher<Integer, Integer>(wire::send, entry -> 0, 0, Duration.ofMillis(20));
        var answers = new AtomicInteger();
        behindTheFirst(wire, batcher, answers, 2);

        answer(batcher, 3, answers);
        answer(batcher, 4, answers);

        assertThat(answers).hasValue(5);
        assertThat(wire.batches).containsExactly(List.of(0), List.of(1, 2), List.of(3), List.of(4));
    }

    @Test
    @DisplayName("an entry's own failure is thrown to its caller only; a failed call fails every entry of its batch")
    void failuresReachTheirCallers() {
        var batcher = new Batcher<Integer, Integer>(entries -> entries.stream()
                .map(e -> e % 2 == 0 ? Batcher.Outcome.success(e)
                        : Batcher.Outcome.<Integer>failed(new EntryFailure("Delete", "ReceiptHandleIsInvalid", "odd")))
                .toList());
        var broken = new Batcher<Integer, Integer>(entries -> {
            throw new IllegalStateException("connection reset");
        });

        assertThat(batcher.submit(2)).isEqualTo(2);
        assertThatThrownBy(() -> batcher.submit(3)).isInstanceOf(EntryFailure.class)
                .hasMessage("Delete failed: ReceiptHandleIsInvalid: odd")
                .matches(e -> ((EntryFailure) e).isLostReceipt());
        assertThatThrownBy(() -> broken.submit(1)).hasMessage("connection reset");
    }

    @Test
    @DisplayName("a caller's entries go out together in batches of ten, without a wait for others, each answered in order")
    void entriesOfOneCallerGoOutTogether() {
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        var batcher = new Batcher<Integer, Integer>(recordingInto(batches, e -> e % 7 == 3
                ? Batcher.Outcome.<Integer>failed(new EntryFailure("SendMessage", "InvalidParameterValue", "entry " + e))
                : Batcher.Outcome.success(e)), entry -> 0, 0, Duration.ofMinutes(10));
        List<Integer> entries = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            entries.add(i);
        }

        // Never waits for a group of others: the linger of ten minutes would fail it.
        List<Batcher.Outcome<Integer>> outcomes = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> batcher.submitAll(entries));

        assertThat(batches).containsExactly(entries.subList(0, 10), entries.subList(10, 20), entries.subList(20, 25));
        assertThat(outcomes).hasSize(25);
        for (int i = 0; i < 25; i++) {
            if (i % 7 == 3) {
                assertThat(outcomes.get(i).failure()).hasMessageEndingWith("entry " + i);
            } else {
                assertThat(outcomes.get(i).value()).isEqualTo(i);
            }
        }
    }

    @Test
    @DisplayName("a batch stops before its total weight would pass the limit")
    void batchesRespectTheWeightLimit() throws InterruptedException {
        var wire = new HeldFirstBatch();
        var batcher = new Batcher<Integer, Integer>(wire::send, entry -> entry, 100);
        var answers = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofVirtual().start(() -> answer(batcher, 1, answers)));
        assertThat(wire.firstOnWire.await(10, TimeUnit.SECONDS)).isTrue();
        for (int weight : new int[] {60, 30, 20}) {
            threads.add(Thread.ofVirtual().start(() -> answer(batcher, weight, answers)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> threads.getLast().getState() == Thread.State.WAITING);
        }

        wire.releaseFirst.countDown();
        for (Thread thread : threads) {
            assertThat(thread.join(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(answers).hasValue(4);
        assertThat(wire.batches).containsExactly(List.of(1), List.of(60, 30), List.of(20));
    }

    /** A call that records each batch it is given into {@code batches} and answers each entry with {@code answer}. */
    private static <R> Function<List<Integer>, List<Batcher.Outcome<R>>> recordingInto(List<List<Integer>> batches,
            Function<Integer, Batcher.Outcome<R>> answer) {
        return entries -> {
            batches.add(entries);
            return entries.stream().map(answer).toList();
        };
    }

    /**
     * Entry 0 goes on the wire and is held there; entries 1 to {@code followers} then wait behind it;
     * the first batch is released and every caller has its answer when this returns.
     */
    private static void behindTheFirst(HeldFirstBatch wire, Batcher<Integer, Integer> batcher, AtomicInteger answers,
                                       int followers) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofVirtual().start(() -> answer(batcher, 0, answers)));
        assertThat(wire.firstOnWire.await(10, TimeUnit.SECONDS)).isTrue();
        // One at a time, each waiting before the next comes: they queue in their numbers' order.
        for (int i = 1; i <= followers; i++) {
            int n = i;
            threads.add(Thread.ofVirtual().start(() -> answer(batcher, n, answers)));
            await().atMost(Duration.ofSeconds(10)).until(() -> threads.getLast().getState() == Thread.State.WAITING);
        }
        wire.releaseFirst.countDown();
        for (Thread thread : threads) {
            assertThat(thread.join(Duration.ofSeconds(10))).isTrue();
        }
    }

    private static void answer(Batcher<Integer, Integer> batcher, int entry, AtomicInteger answers) {
        if (batcher.submit(entry) == entry) {
            answers.incrementAndGet();
        }
    }

    /** A batch call that records its batches and holds the first on the wire until released. */
    private static final class HeldFirstBatch {
        final CountDownLatch firstOnWire = new CountDownLatch(1);
        final CountDownLatch releaseFirst = new CountDownLatch(1);
        final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

        List<Batcher.Outcome<Integer>> send(List<Integer> entries) {
            batches.add(entries);
            if (batches.size() == 1) {
                firstOnWire.countDown();
                try {
                    if (!releaseFirst.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test did not release the first batch in 10 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return entries.stream().map(Batcher.Outcome::success).toList();
        }
    }
}
