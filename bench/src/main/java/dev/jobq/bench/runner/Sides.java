package dev.jobq.bench.runner;

/** What the ceiling and jobq measured in one run. */
public record Sides<T>(T ceiling, T subject) {
}
