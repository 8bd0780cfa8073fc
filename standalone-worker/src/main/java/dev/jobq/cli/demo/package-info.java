/**
 * The {@code jobq demo} command: an in-memory queue runs the example handlers on a planned mix of
 * jobs (plain, flaky-then-succeeding, always failing, delayed, high priority), shows progress, and
 * ends with a summary checked against the plan. {@link dev.jobq.cli.demo.DemoPlan} says what is
 * enqueued and what each job should end as, {@link dev.jobq.cli.demo.DemoTracker} follows the
 * queue's events, {@link dev.jobq.cli.demo.DemoReport} compares the two.
 */
@NullMarked
package dev.jobq.cli.demo;

import org.jspecify.annotations.NullMarked;
