/**
 * JMH micro-benchmarks of the operations B1 repeats a million times, measured without the worker's
 * threads around them, where a difference of a few percent shows above the noise of the end-to-end
 * runs (docs/benchmarks.md, <i>Micro-benchmarks</i>). Run with JMH's own main class:
 * {@code java -cp bench/target/jobq-bench.jar org.openjdk.jmh.Main}.
 */
@NullMarked
package dev.jobq.bench.micro;

import org.jspecify.annotations.NullMarked;
