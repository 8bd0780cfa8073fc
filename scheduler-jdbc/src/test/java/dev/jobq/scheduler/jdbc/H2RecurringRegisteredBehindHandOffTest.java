package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Registering a recurring job again (the application's start-up) while its occurrence is being handed on waits for
 * the hand-off, then works on the row as the hand-off left it: the occurrence handed on is not handed on again.
 */
@DisplayName("JDBC scheduler on H2: registering again behind a hand-off")
class H2RecurringRegisteredBehindHandOffTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(25);

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"the same definition", "a new payload", "disabled", "a new schedule"})
    @DisplayName("an occurrence handed on while the job is registered again is handed on once, and the job goes on "
            + "from the row the hand-off left")
    void anOccurrenceHandedOnWhileTheJobIsRegisteredAgainIsHandedOnOnce(String change) throws Exception {
        var held = new HeldHandOff(sink, BOUND);
        String url = "jdbc:h2:mem:jobq-register-behind-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        RecurringJob tick = RecurringJob.builder("tick", "report:tick").schedule("every 1 minute").build();
        RecurringJob again = switch (change) {
            case "disabled" -> tick.toBuilder().enabled(false).build();
            case "a new schedule" -> tick.toBuilder().schedule("every 5 minutes").build();
            default -> tick;
        };
        String payload = change.equals("a new payload") ? "{\"v\":2}" : "{}";
        Instant handedOnAt = T0.plus(Duration.ofMinutes(1));
        try (JdbcJobScheduler scheduler = held.scheduler(JdbcSchedulerFactory.builder().jdbcUrl(url), clock);
             Connection watcher = DriverManager.getConnection(url);
             var registering = Executors.newVirtualThreadPerTaskExecutor()) {
            scheduler.registerRecurring(tick, "{}");
            clock.set(handedOnAt);
            List<Future<RecurringJobInfo>> registered = new ArrayList<>();
            held.whileHandingOn(scheduler, () -> {
                registered.add(registering.submit(() -> scheduler.registerRecurring(again, payload)));
                // The registration waits for the hand-off's lock on the row before the hand-off is let go.
                await().atMost(BOUND).until(() -> blockedSessions(watcher) > 0);
            });
            RecurringJobInfo info = registered.getFirst().get(BOUND.toSeconds(), TimeUnit.SECONDS);

            assertThat(scheduler.fireDue()).as("jobs handed on after the registration").isZero();
            assertThat(sink.firedAt("report:tick")).containsExactly(handedOnAt);
            assertThat(info.lastRunAt()).as("the hand-off's record kept").isEqualTo(handedOnAt);
            assertThat(info.nextRunAt()).isEqualTo(switch (change) {
                case "disabled" -> null;
                case "a new schedule" -> handedOnAt.plus(Duration.ofMinutes(5));
                default -> handedOnAt.plus(Duration.ofMinutes(1));
            });
        }
    }

    private static int blockedSessions(Connection watcher) throws SQLException {
        try (Statement statement = watcher.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
