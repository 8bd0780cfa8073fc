/**
 * The harness of process-level tests: {@link dev.jobq.cli.process.JobqProcess} starts the shaded
 * {@code jobq.jar} as a child JVM and follows its output ({@link dev.jobq.cli.process.OutputLines}),
 * {@link dev.jobq.cli.process.JarBuilder} makes {@code --handlers} jars, and the tests ({@code *IT},
 * run by failsafe after {@code package}) check signals, exit statuses, health and metrics.
 */
@NullMarked
package dev.jobq.cli.process;

import org.jspecify.annotations.NullMarked;
