/**
 * The operations commands: {@code enqueue}, {@code schedule}, {@code recurring},
 * {@code dead-letters}, {@code stats} and {@code config check}. Each reads the config file like a
 * worker, opens the queue without starting a worker or firing the scheduler, does one thing and
 * exits: 0 done, 1 failed (an unknown id), 2 bad usage or configuration.
 */
@NullMarked
package dev.jobq.cli.admin;

import org.jspecify.annotations.NullMarked;
