/** The {@link dev.jobq.JobQueue} implementation: wiring providers, scheduler, enqueue routing and workers. */
@NullMarked
package dev.jobq.internal.runtime;

import org.jspecify.annotations.NullMarked;
