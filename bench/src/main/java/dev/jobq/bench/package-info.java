/**
 * jobq's benchmarks: {@link dev.jobq.bench.BenchMain} is the {@code jobq-bench} command, which forks
 * a fresh JVM ({@link dev.jobq.bench.ForkMain}) for every run of every workload listed in
 * {@link dev.jobq.bench.Workloads} and prints the table of medians, spreads and ratios to each
 * workload's ceiling. Never part of the test suite; docs/benchmarks.md has the method and results.
 */
@NullMarked
package dev.jobq.bench;

import org.jspecify.annotations.NullMarked;
