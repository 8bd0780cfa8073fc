package dev.jobq.internal.config;

import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import java.time.Duration;

/**
 * Factories with a few settings each, registered only in the class loaders of {@link TestCatalogs}:
 * the real memory, SQS and JDBC factories live in modules queue-spi cannot depend on. Config loading
 * only validates, so they create nothing.
 */
final class FakeProviderFactories {

    private FakeProviderFactories() {
    }

    public static final class Memory implements QueueProviderFactory {
        @Override
        public String type() {
            return "memory";
        }

        @Override
        public void validate(Settings settings) {
            settings.integer("maxHistorySize", 1000, 1, Integer.MAX_VALUE);
            settings.duration("leaseDuration", Duration.ofSeconds(30));
            settings.bytes("maxPayloadBytes", 256 * 1024, 1, Integer.MAX_VALUE);
            settings.checkNoUnknownKeys();
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new UnsupportedOperationException("config tests only validate");
        }
    }

    public static final class Sqs implements QueueProviderFactory {
        @Override
        public String type() {
            return "sqs";
        }

        @Override
        public void validate(Settings settings) {
            settings.requireString("region", "write e.g. region: us-east-1");
            settings.requireString("queueUrl", "write the queue's URL");
            settings.duration("visibilityTimeout", Duration.ofSeconds(30));
            settings.string("endpoint");
            settings.checkNoUnknownKeys();
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new UnsupportedOperationException("config tests only validate");
        }
    }

    public static final class Jdbc implements JobSchedulerFactory {
        @Override
        public String type() {
            return "jdbc";
        }

        @Override
        public void validate(Settings settings) {
            settings.string("jdbcUrl", "jdbc:h2:file:./data/jobq");
            settings.string("username");
            settings.string("password");
            settings.checkNoUnknownKeys();
        }

        @Override
        public JobScheduler create(SchedulerContext context) {
            throw new UnsupportedOperationException("config tests only validate");
        }
    }
}
