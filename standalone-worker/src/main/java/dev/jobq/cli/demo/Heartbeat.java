package dev.jobq.cli.demo;

/**
 * The payload of the demo's recurring job.
 *
 * @param source what sends it
 */
record Heartbeat(String source) {
}
