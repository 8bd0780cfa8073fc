/**
 * The harness every workload runs in: a {@link dev.jobq.bench.runner.Workload} declares its metrics
 * with their ceilings and {@link dev.jobq.bench.runner.Target}s and measures both sides through a
 * {@link dev.jobq.bench.runner.Probe} (side by side, order alternating by run, progress reported);
 * the {@link dev.jobq.bench.runner.BenchRunner} forks the runs, collects their samples and
 * tabulates them ({@link dev.jobq.bench.runner.ResultTable}) with the machine's description and load.
 */
@NullMarked
package dev.jobq.bench.runner;

import org.jspecify.annotations.NullMarked;
