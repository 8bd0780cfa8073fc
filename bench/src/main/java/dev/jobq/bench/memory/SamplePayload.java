package dev.jobq.bench.memory;

/**
 * A payload of about 100 bytes of JSON, the size B2 and B4 enqueue: an e-mail notification.
 * {@code {"to":"user-000042@example.com","template":"welcome","locale":"en-GB","account":"acct-7f3a9c21"...}}
 */
public record SamplePayload(String to, String template, String locale, String account, int attempt) {

    private static final SamplePayload[] DISTINCT = new SamplePayload[1024];

    static {
        for (int i = 0; i < DISTINCT.length; i++) {
            DISTINCT[i] = new SamplePayload(String.format("user-%06d@example.com", i), "welcome-series-2", "en-GB",
                    "acct-7f3a9c21", 1);
        }
    }

    /**
     * The payload of job {@code n}: one of 1,024 made in advance, so that building payloads costs
     * neither side of a measurement anything.
     */
    public static SamplePayload forJob(int n) {
        return DISTINCT[n & (DISTINCT.length - 1)];
    }
}
