package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The lanes of ready jobs against a list sorted by (priority, sequence). */
class ReadyQueueTest {

    private static final Comparator<Entry> ORDER = Comparator.<Entry>comparingInt(e -> e.priority)
            .thenComparingLong(e -> e.sequence);

    @Test
    @DisplayName("polls by priority, then sequence, when polled jobs come back with their old sequence")
    void keepsPriorityThenSequenceOrderWithReturningJobs() {
        checkAgainstSortedList(new Random(7), 3);
    }

    @Test
    @DisplayName("stays ordered with many distinct priorities, whose empty lanes are dropped")
    void keepsOrderWithManyPriorities() {
        checkAgainstSortedList(new Random(11), 50);
    }

    @Test
    @DisplayName("stays ordered with thousands of distinct priorities")
    void keepsOrderWithThousandsOfPriorities() {
        checkAgainstSortedList(new Random(13), 5000);
    }

    /**
     * Priorities are any int, as in BullMQ (1 to 2^21): a deadline or a score may give each job its own. A sorted
     * array of lanes, grown and shrunk by a copy for each new or emptied priority, took 18 s to take 20,000 such
     * jobs and 95 s (then 79 s to drain) for 100,000 on the review machine, each enqueue holding the queue's lock the
     * while; a tree of lanes takes 1.5 s for 100,000 there.
     */
    @Test
    @DisplayName("takes and gives 100,000 jobs of distinct priorities, in order, in far less than quadratic time")
    void distinctPrioritiesCostNoCopyOfAllLanes() {
        int count = 100_000;
        var ready = new ReadyQueue();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 1; i <= count; i++) {
                // A permutation of 0..count-1: each priority once, in no order.
                ready.add(entry(i, (int) ((i * 48_271L) % count)));
            }
            int previous = Integer.MIN_VALUE;
            for (int i = 0; i < count; i++) {
                Entry next = ready.poll();
                assertThat(next.priority).isGreaterThan(previous);
                previous = next.priority;
            }
        }, "100,000 jobs of distinct priorities added and drained");
        assertThat(ready.poll()).isNull();
        assertThat(ready.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("a lane that drained a large backlog still takes and gives jobs in order")
    void drainsALargeBacklogAndGoesOn() {
        var ready = new ReadyQueue();
        for (int i = 1; i <= 10_000; i++) {
            ready.add(entry(i, 0));
        }
        for (int i = 1; i <= 10_000; i++) {
            assertThat(ready.poll().sequence).isEqualTo(i);
        }
        assertThat(ready.poll()).isNull();
        ready.add(entry(10_001, 0));
        ready.add(entry(10_002, -1));
        assertThat(ready.poll().sequence).isEqualTo(10_002);
        assertThat(ready.poll().sequence).isEqualTo(10_001);
        assertThat(ready.isEmpty()).isTrue();
    }

    private static void checkAgainstSortedList(Random random, int priorities) {
        var ready = new ReadyQueue();
        List<Entry> inQueue = new ArrayList<>();
        List<Entry> out = new ArrayList<>();
        long sequence = 0;
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(10);
            if (op < 4 || inQueue.isEmpty() && out.isEmpty()) {
                Entry entry = entry(++sequence, random.nextInt(priorities) - priorities / 2);
                ready.add(entry);
                inQueue.add(entry);
            } else if (op < 6 && !out.isEmpty()) {
                // A delay ended, a retry or a release: it comes back with the sequence it had.
                Entry back = out.remove(random.nextInt(out.size()));
                ready.add(back);
                inQueue.add(back);
            } else if (!inQueue.isEmpty()) {
                Entry expected = inQueue.stream().min(ORDER).orElseThrow();
                assertThat(ready.poll()).isSameAs(expected);
                inQueue.remove(expected);
                out.add(expected);
            }
            assertThat(ready.size()).isEqualTo(inQueue.size());
        }
        inQueue.sort(ORDER);
        List<Entry> drained = new ArrayList<>();
        for (Entry next = ready.poll(); next != null; next = ready.poll()) {
            drained.add(next);
        }
        assertThat(drained).containsExactlyElementsOf(inQueue);
    }

    private static Entry entry(long sequence, int priority) {
        var options = new JobOptions(3, JobOptions.DEFAULT_TIMEOUT, priority, null, JobOptions.DEFAULT_QUEUE);
        var envelope = new JobEnvelope(1, "job-" + sequence, "t", "{}", options, 0, Instant.EPOCH, null, null);
        return new Entry(envelope, sequence, 0, Entry.State.WAITING);
    }
}
