package dev.jobq.cli.admin;

import dev.jobq.ConfigException;
import dev.jobq.JobOptions;
import dev.jobq.JobRejectedException;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.internal.config.ProviderSection;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.UntrustedText;
import java.time.InstantSource;
import java.util.Map;

/**
 * One configured queue's provider, created alone from the checked file, without a queue around it: for a command
 * about one queue when the queue of the whole file cannot be opened (one provider out of reach fails all of it).
 */
final class ProviderAlone {

    private ProviderAlone() {
    }

    /**
     * The section of {@code queue}; an unknown queue is a usage error naming the configured ones and the file read (it
     * named jobq.yaml whatever --config said).
     */
    static ProviderSection section(QueueSetup setup, String queue) {
        Map<String, ProviderSection> sections = setup.config().providers();
        ProviderSection section = sections.get(queue);
        if (section == null) {
            // quoted and escaped as the queue's own refusal of it (Enqueuer.binding) is
            throw new JobRejectedException("unknown queue " + UntrustedText.singleQuote(queue, JobOptions.MAX_QUEUE_NAME)
                    + " (configured: "
                    + UntrustedText.escape(String.join(", ", sections.keySet())) + "); add it under 'queues:' in "
                    + setup.configFileShown());
        }
        return section;
    }

    /** Creates the provider of {@code section}; the caller closes it. */
    static QueueProvider create(ProviderCatalog catalog, ProviderSection section) {
        QueueProviderFactory factory = catalog.provider(section.type())
                .orElseThrow(() -> new ConfigException(catalog.unknownProvider(section.type())));
        return factory.create(new ProviderContext(section.queueName(), section.settings(), InstantSource.system()));
    }

    /** Creates the provider of {@code section}; the caller closes it. */
    static QueueProvider create(QueueSetup setup, ProviderSection section) {
        return create(ProviderCatalog.load(setup.classLoader()), section);
    }

    /**
     * Opens the queue of the whole file, without its scheduler, with {@code provider} (created from {@code section})
     * for that section's queue: one opening of that queue, not a second beside it, with its start-up requests and
     * lines. The file's other queues not on the memory provider get a memory one in their place, as for a command
     * about one job: the command reads none of them, and opening them held it for the SDK's retries while one was out
     * of reach (42 s), before it opened that queue again alone. The provider is closed with the queue, or here when
     * the queue cannot be opened or is not the one built (a test lends one).
     */
    static QueueSession openAround(QueueSetup setup, QueueProvider provider, ProviderSection section) {
        ProviderCatalog catalog = ProviderCatalog.load(setup.classLoader());
        boolean standIns = catalog.provider(MemoryQueueNote.MEMORY).isPresent();
        QueueSession session;
        try {
            session = setup.open(builder -> {
                builder.withoutScheduler().queue(section.queueName(), provider);
                setup.config().providers().forEach((name, other) -> {
                    if (standIns && !name.equals(section.queueName()) && !MemoryQueueNote.MEMORY.equals(other.type())) {
                        builder.queue(name, MemoryQueueNote.MEMORY, Map.of());
                    }
                });
                return builder;
            });
        } catch (RuntimeException | Error e) {
            provider.close(); // build() closes what it was given; this one may not have got that far
            throw e;
        }
        if (!session.ownsQueue()) {
            provider.close();
        }
        return session;
    }
}
