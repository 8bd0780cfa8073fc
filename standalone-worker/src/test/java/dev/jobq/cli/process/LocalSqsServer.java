package dev.jobq.cli.process;

import dev.jobq.localsqs.LocalSqs;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalSqs} (ElasticMQ on 127.0.0.1, a free port) for a test class, started before its
 * first test and stopped after its last:
 * {@code @RegisterExtension static final LocalSqsServer SQS = new LocalSqsServer();}.
 */
final class LocalSqsServer implements BeforeAllCallback, AfterAllCallback {

    private @Nullable LocalSqs sqs;

    @Override
    public void beforeAll(ExtensionContext context) {
        sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (sqs != null) {
            sqs.close();
            sqs = null;
        }
    }

    LocalSqs get() {
        if (sqs == null) {
            throw new IllegalStateException("LocalSqsServer runs only while its test class runs: register it with "
                    + "@RegisterExtension on a static field");
        }
        return sqs;
    }
}
