/**
 * Helpers for users' tests: a settable clock, a job context for calling a handler directly
 * ({@link dev.jobq.testing.TestJobContext}), a recorder of the jobs code under test enqueued, with their
 * payloads ({@link dev.jobq.testing.EnqueuedJobs}), and a forwarding provider to alter one behaviour of a
 * real provider. The memory provider is the in-process queue for tests.
 */
@NullMarked
package dev.jobq.testing;

import org.jspecify.annotations.NullMarked;
