/**
 * The JDBC scheduler ({@code type: jdbc}): one-time jobs and recurring cron or interval jobs held
 * in H2 or PostgreSQL, claimed with {@code SELECT … FOR UPDATE SKIP LOCKED} and handed to the queue
 * exactly once however many scheduler instances share the database. Build one from the config
 * file's {@code scheduler:} section through {@link dev.jobq.scheduler.jdbc.JdbcSchedulerFactory},
 * or in code with {@link dev.jobq.scheduler.jdbc.JdbcSchedulerFactory#builder()}. The schema comes
 * from the Flyway scripts in {@code dev/jobq/scheduler/jdbc/migration}; the jOOQ classes in
 * {@code dev.jobq.scheduler.jdbc.schema} are generated from them at build time and are not API.
 */
@NullMarked
package dev.jobq.scheduler.jdbc;

import org.jspecify.annotations.NullMarked;
