package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.ConfigException;
import dev.jobq.JobOptions;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The memory provider as the config file and code build it. */
class MemoryProviderFactoryTest {

    private final SettableClock clock = SettableClock.atEpochOf2026();

    private ProviderContext context(Map<String, ?> settings) {
        return new ProviderContext("default", Settings.of("jobq.yaml", "provider", settings), clock);
    }

    @Test
    @DisplayName("is found by ServiceLoader under the type name 'memory'")
    void isRegisteredAsMemory() {
        var catalog = ProviderCatalog.load(MemoryProviderFactoryTest.class.getClassLoader());

        assertThat(catalog.provider("memory")).get().isInstanceOf(MemoryProviderFactory.class);
    }

    @Test
    @DisplayName("reads its settings with units")
    void readsSettings() {
        try (QueueProvider provider = new MemoryProviderFactory().create(context(Map.of(
                "maxHistorySize", 5, "maxDeadLetters", "7", "leaseDuration", "2s", "maxPayloadBytes", "256KiB")))) {
            provider.enqueue(new JobEnvelope(1, UUID.randomUUID().toString(), "t", "{}", JobOptions.defaults(), 0,
                    clock.instant(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ZERO);

            assertThat(provider.capabilities().maxPayloadBytes()).isEqualTo(256 * 1024);
            assertThat(received).singleElement().extracting(ReceivedJob::leaseDuration)
                    .isEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    @DisplayName("the defaults: 30s leases, 1 MiB payloads")
    void defaults() {
        try (QueueProvider provider = new MemoryProviderFactory().create(context(Map.of()))) {
            provider.enqueue(new JobEnvelope(1, "id-1", "t", "{}", JobOptions.defaults(), 0, clock.instant(), null,
                    null), Duration.ZERO);

            assertThat(provider.capabilities().maxPayloadBytes()).isEqualTo(MemoryProviderFactory.DEFAULT_MAX_PAYLOAD_BYTES);
            assertThat(provider.receive(1, Duration.ZERO)).singleElement().extracting(ReceivedJob::leaseDuration)
                    .isEqualTo(MemoryProviderFactory.DEFAULT_LEASE_DURATION);
        }
    }

    @Test
    @DisplayName("reports every bad or unknown setting at once, each with its key path")
    void reportsEveryProblem() {
        Map<String, Object> bad = Map.of("maxHistorySize", -1, "maxDeadLetters", "many", "leaseDuration", "0ms",
                "maxPayloadBytes", "0", "colour", "blue");

        assertThatThrownBy(() -> new MemoryProviderFactory().create(context(bad)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "provider.maxHistorySize: must be ≥ 0, got -1",
                        "provider.maxDeadLetters: must be a whole number, got 'many'",
                        "provider.leaseDuration: must be ≥ 250ms, got 0s",
                        "provider.maxPayloadBytes: must be between 1 and 2147483647 bytes, got 0",
                        "provider.colour: unknown key (known keys here: maxHistorySize, maxDeadLetters, leaseDuration,"
                                + " maxPayloadBytes)"));
    }

    @Test
    @DisplayName("a size too large for a payload gets the range, whatever its unit")
    void namesTheRangeOfATooLargeSize() {
        Settings settings = Settings.of("jobq.yaml", "provider", Map.of("maxPayloadBytes", "2GiB"));
        Settings huge = Settings.of("jobq.yaml", "queues.big", Map.of("maxPayloadBytes", "99999999999999999999"));

        new MemoryProviderFactory().validate(settings);
        new MemoryProviderFactory().validate(huge);

        assertThat(settings.problems()).containsExactly(
                "provider.maxPayloadBytes: must be between 1 and 2147483647 bytes, got 2147483648");
        assertThat(huge.problems()).containsExactly(
                "queues.big.maxPayloadBytes: must be between 1 and 2147483647 bytes, got '99999999999999999999'");
    }

    @Test
    @DisplayName("a lease shorter than heartbeats can keep is refused: a running job would be delivered again")
    void leaseShorterThanHeartbeatsCanKeepIsRefused() {
        Settings settings = Settings.of("jobq.yaml", "provider", Map.of("leaseDuration", "60ms"));
        Settings shortest = Settings.of("jobq.yaml", "provider", Map.of("leaseDuration", "250ms"));

        new MemoryProviderFactory().validate(settings);
        new MemoryProviderFactory().validate(shortest);

        assertThat(settings.problems()).containsExactly("provider.leaseDuration: must be ≥ 250ms, got 60ms");
        assertThat(shortest.problems()).isEmpty();
        assertThatThrownBy(() -> MemoryProviderFactory.builder().leaseDuration(Duration.ofMillis(60)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseDuration must be between 250ms and 1 day, got PT0.06S");
    }

    @Test
    @DisplayName("validate records problems without creating anything")
    void validateOnlyRecords() {
        Settings settings = Settings.of("jobq.yaml", "queues.reports", Map.of("leaseDuration", "2d"));

        new MemoryProviderFactory().validate(settings);

        assertThat(settings.problems()).containsExactly("queues.reports.leaseDuration: must be ≤ 1d, got 2d");
    }

    @Test
    @DisplayName("the builder rejects bad values at once, naming the setting and the value")
    void builderRejectsBadValues() {
        assertThatThrownBy(() -> MemoryProviderFactory.builder().leaseDuration(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseDuration must be between 250ms and 1 day, got PT0S");
        assertThatThrownBy(() -> MemoryProviderFactory.builder().maxDeadLetters(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDeadLetters must be ≥ 0, got -5");
        assertThatThrownBy(() -> MemoryProviderFactory.builder().queueName(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queueName must not be blank");
    }
}
