package dev.jobq.spi;

/**
 * Creates providers of one type. Registered in
 * {@code META-INF/services/dev.jobq.spi.QueueProviderFactory} and selected by {@link #type()}, the
 * {@code type:} of a provider section in the config file.
 *
 * <p>{@link #create} reads every setting it knows from {@link ProviderContext#settings()} first and
 * calls {@link Settings#throwIfInvalid()} before it connects to anything, so that a bad file is
 * reported in full, with key paths, before any I/O.
 */
public interface QueueProviderFactory {

    /** The name in the config file: "memory", "sqs". */
    String type();

    /**
     * Checks the settings without connecting anywhere. Problems go to {@code settings}; the default
     * creates nothing and is right only for providers with no settings.
     */
    default void validate(Settings settings) {
        settings.checkNoUnknownKeys();
    }

    /**
     * Creates the provider of the named queue {@link ProviderContext#queueName()}, with that queue's
     * settings, the queue's clock for its times, and {@link ProviderContext#events()} for what it
     * announces itself. Called once per queue of this type, when the {@link dev.jobq.JobQueue} is built.
     */
    QueueProvider create(ProviderContext context);
}
