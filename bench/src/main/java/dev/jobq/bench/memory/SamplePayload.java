package dev.jobq.bench.memory;

/**
 * A payload of about 100 bytes of JSON, the size B2 and B4 enqueue: an e-mail notification.
 * {@code {"to":"user-000042@example.com","template":"welcome","locale":"en-GB","account":"acct-7f3a9c21"...}}
 */
public record SamplePayload(String to, String template, String locale, String account, int attempt) {

    static SamplePayload of(int n) {
        return new SamplePayload(String.format("user-%06d@example.com", n % 1_000_000), "welcome-series-2",
                "en-GB", "acct-7f3a9c21", 1);
    }
}
