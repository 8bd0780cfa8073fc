package dev.jobq.examples;

/**
 * A call to an unreliable endpoint: the payload of {@link FlakyHandler}.
 *
 * @param endpoint what is being called, for the error message
 * @param failures how many attempts fail before one succeeds; 0 succeeds at once
 */
public record FlakyCall(String endpoint, int failures) {

    public FlakyCall {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("FlakyCall.endpoint must not be blank, got \"" + endpoint + "\"");
        }
        if (failures < 0) {
            throw new IllegalArgumentException("FlakyCall.failures must be ≥ 0, got " + failures + " (for " + endpoint + ")");
        }
    }
}
