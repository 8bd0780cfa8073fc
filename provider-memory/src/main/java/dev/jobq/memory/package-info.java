/**
 * The in-process provider ({@code type: memory}): jobs live in this JVM's heap, blocked receivers
 * wake the moment a job is enqueued, and leases, delays of any length, priority, deduplication,
 * job lookup and a bounded dead-letter store all follow the provider contract exactly, so it is the
 * reference implementation of the conformance suite and the queue to use in users' tests. Nothing
 * survives the process. Build one from the config file through {@link dev.jobq.memory.MemoryProviderFactory}
 * or in code with {@link dev.jobq.memory.MemoryProviderFactory#builder()}.
 */
@NullMarked
package dev.jobq.memory;

import org.jspecify.annotations.NullMarked;
