package dev.jobq.internal.worker;

import dev.jobq.internal.runtime.QueueCounters;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.UntrustedText;

/**
 * A named queue as the worker consumes it: its provider and this process's counters for it.
 *
 * @param shownName the name as log lines write it, escaped once here ({@link UntrustedText#escape(String)}): a
 *     queue name may hold a bidirectional override (U+202E), which raw reverses the rest of the line, and the name
 *     is fixed for the worker's life, so no line escapes it again
 */
public record QueueBinding(String name, QueueProvider provider, QueueCounters counters, String shownName) {

    public QueueBinding(String name, QueueProvider provider, QueueCounters counters) {
        this(name, provider, counters, UntrustedText.escape(name));
    }
}
