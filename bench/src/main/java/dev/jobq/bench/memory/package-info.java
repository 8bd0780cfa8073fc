/**
 * B1–B4, on the memory provider: drain rate against a raw {@code ThreadPoolExecutor}, enqueue rate
 * against {@code LinkedBlockingQueue.offer}, open-loop enqueue-to-start latency at a fixed rate, and
 * heap per pending job against the least a queue of such jobs can hold.
 */
@NullMarked
package dev.jobq.bench.memory;

import org.jspecify.annotations.NullMarked;
