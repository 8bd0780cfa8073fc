package dev.jobq.cli.process.handlers;

import dev.jobq.JobOptions;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Provider type {@value #TYPE}: a memory queue that starts with {@code jobs} jobs of
 * {@code jobType} with {@code payload} (JSON) and a {@code jobTimeout}. A memory queue cannot be
 * filled from another process, so this is how a test gives a child {@code jobq run} jobs to hold
 * when it is signalled; with SQS (phase 2) the test enqueues for real instead.
 */
public final class SeededMemoryProviderFactory implements QueueProviderFactory {

    public static final String TYPE = "seeded-memory";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Settings settings) {
        settings.integer("jobs", 0, 0, 100_000);
        settings.requireString("jobType", "name the type of the seeded jobs");
        settings.string("payload", "null");
        settings.duration("jobTimeout", JobOptions.DEFAULT_TIMEOUT);
        settings.checkNoUnknownKeys();
    }

    @Override
    public QueueProvider create(ProviderContext context) {
        Settings settings = context.settings();
        validate(settings);
        settings.throwIfInvalid();
        QueueProvider provider = MemoryProviderFactory.builder().queueName(context.queueName()).clock(context.clock())
                .build();
        var options = new JobOptions(1, settings.duration("jobTimeout", JobOptions.DEFAULT_TIMEOUT),
                JobOptions.DEFAULT_PRIORITY, null, context.queueName());
        Instant now = context.clock().instant();
        for (int i = 0; i < settings.integer("jobs", 0, 0, 100_000); i++) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(),
                    settings.string("jobType", "?"), settings.string("payload", "null"), options, 0, now, null, null),
                    Duration.ZERO);
        }
        return provider;
    }
}
