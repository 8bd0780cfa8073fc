/**
 * The provider conformance suite (DESIGN §9): {@link dev.jobq.tck.QueueProviderContract} is an
 * abstract JUnit 5 class that a provider's test extends by saying how to build the provider and how
 * time passes for it ({@link dev.jobq.tck.TimeControl}: a settable clock, or real time for servers
 * such as SQS). Its {@code @Nested} groups check the delivery semantics of DESIGN §4 capability by
 * capability; groups for features the provider does not declare are skipped, never passed silently.
 */
@NullMarked
package dev.jobq.tck;

import org.jspecify.annotations.NullMarked;
