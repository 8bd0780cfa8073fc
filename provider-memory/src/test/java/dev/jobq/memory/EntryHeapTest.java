package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The indexed heap against a sorted list, through random adds, polls, removals and key changes. */
class EntryHeapTest {

    private static final Comparator<Entry> BY_DUE = Comparator.<Entry>comparingLong(e -> e.dueAt)
            .thenComparingLong(e -> e.sequence);

    @Test
    @DisplayName("polls in order after random adds, removals and re-keyed entries, and tracks positions")
    void staysOrderedUnderRandomOperations() {
        var random = new Random(42);
        var heap = new EntryHeap(BY_DUE);
        List<Entry> inHeap = new ArrayList<>();
        long sequence = 0;

        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(10);
            if (op < 5 || inHeap.isEmpty()) {
                Entry entry = entry(++sequence, random.nextInt(1000));
                heap.add(entry);
                inHeap.add(entry);
            } else if (op < 7) {
                Entry polled = heap.poll();
                Entry expected = inHeap.stream().min(BY_DUE).orElseThrow();
                assertThat(polled).isSameAs(expected);
                inHeap.remove(expected);
                assertThat(polled.heapIndex).isEqualTo(-1);
            } else if (op < 9) {
                Entry target = inHeap.get(random.nextInt(inHeap.size()));
                target.dueAt = random.nextInt(1000);
                heap.update(target);
            } else {
                Entry target = inHeap.remove(random.nextInt(inHeap.size()));
                heap.remove(target);
                assertThat(target.heapIndex).isEqualTo(-1);
            }
            assertThat(heap.size()).isEqualTo(inHeap.size());
        }

        inHeap.sort(BY_DUE);
        List<Entry> drained = new ArrayList<>();
        for (Entry next = heap.poll(); next != null; next = heap.poll()) {
            drained.add(next);
        }
        assertThat(drained).containsExactlyElementsOf(inHeap);
    }

    @Test
    @DisplayName("removing an entry that is not in the heap changes nothing")
    void removingAForeignEntryIsHarmless() {
        var heap = new EntryHeap(BY_DUE);
        Entry inside = entry(1, 5);
        heap.add(inside);

        heap.remove(entry(2, 1));

        assertThat(heap.size()).isEqualTo(1);
        assertThat(heap.peek()).isSameAs(inside);
    }

    private static Entry entry(long sequence, long dueAt) {
        var envelope = new JobEnvelope(1, "job-" + sequence, "t", "{}", JobOptions.defaults(), 0, Instant.EPOCH,
                null, null);
        var entry = new Entry(envelope, sequence, 0, Entry.State.DELAYED);
        entry.dueAt = dueAt;
        return entry;
    }
}
