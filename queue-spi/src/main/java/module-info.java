/**
 * jobq's API ({@code dev.jobq}), its SPI for providers and schedulers ({@code dev.jobq.spi}),
 * metrics and test helpers. The {@code dev.jobq.internal} packages are exported only to jobq's own
 * modules. An application module writes {@code requires dev.jobq;} and opens the packages of its
 * payload types to Jackson (docs/configuration.md, "On the module path"); providers, schedulers and
 * handler modules are found through the {@code uses} below, from the module path or the class path.
 */
@SuppressWarnings({"module", "requires-transitive-automatic"}) // dev.jobq.cli and dev.jobq.bench are built later
module dev.jobq {
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.yaml.snakeyaml;
    requires org.slf4j;
    requires static transitive org.jspecify;
    requires static transitive micrometer.core;

    exports dev.jobq;
    exports dev.jobq.spi;
    exports dev.jobq.metrics;
    exports dev.jobq.testing;
    exports dev.jobq.internal.config to dev.jobq.cli, dev.jobq.bench;
    exports dev.jobq.internal.discovery to dev.jobq.cli;
    exports dev.jobq.internal.runtime to dev.jobq.cli;

    uses dev.jobq.spi.QueueProviderFactory;
    uses dev.jobq.spi.JobSchedulerFactory;
    uses dev.jobq.JobHandlerModule;
}
