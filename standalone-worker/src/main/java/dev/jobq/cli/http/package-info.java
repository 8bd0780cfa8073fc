/**
 * The worker's HTTP endpoints for operations, on the JDK's {@code com.sun.net.httpserver}:
 * {@code /health} with the rules of {@link dev.jobq.cli.http.HealthCheck} and {@code /metrics} in
 * Prometheus text from Micrometer. Off unless {@code jobq run --http-port} is given.
 */
@NullMarked
package dev.jobq.cli.http;

import org.jspecify.annotations.NullMarked;
