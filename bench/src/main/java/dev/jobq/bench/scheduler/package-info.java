/**
 * B6 and B7, on the JDBC scheduler: the rate it hands due one-time jobs on (H2 file and PostgreSQL
 * run durably, started inside the fork) against a raw {@code FOR UPDATE SKIP LOCKED} loop on the
 * same table, with and without a table full of future rows; and how late (never early) it hands on
 * jobs due at random instants.
 */
@NullMarked
package dev.jobq.bench.scheduler;

import org.jspecify.annotations.NullMarked;
