/**
 * The worker runtime (DESIGN §4, §7), by stage of a job's path: {@link dev.jobq.internal.worker.PollLoop}
 * receives as many jobs as {@link dev.jobq.internal.worker.PermitPool} has free permits,
 * {@link dev.jobq.internal.worker.AttemptRun} runs one attempt on a virtual thread,
 * {@link dev.jobq.internal.worker.Watchdog} enforces timeouts and sends lease heartbeats,
 * {@link dev.jobq.internal.worker.FailurePolicy} decides retry or dead, and
 * {@link dev.jobq.internal.worker.Worker} owns them all and shuts them down.
 */
@NullMarked
package dev.jobq.internal.worker;

import org.jspecify.annotations.NullMarked;
