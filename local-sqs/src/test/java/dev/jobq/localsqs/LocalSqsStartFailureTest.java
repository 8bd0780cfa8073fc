package dev.jobq.localsqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A {@link LocalSqs} that cannot listen leaves nothing running: no ElasticMQ threads of its own, which are not
 * daemons and would keep the JVM of a program that caught the refusal from ending. The port is held by a plain
 * socket, so no other ElasticMQ starts threads while this test looks.
 */
class LocalSqsStartFailureTest {

    private static Set<Thread> elasticMqThreads() {
        return Set.copyOf(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("elasticmq")).toList());
    }

    @Test
    @DisplayName("a start refused because the port is taken stops the threads it started")
    void refusedStartLeavesNoThreads() throws IOException, InterruptedException {
        try (var taken = new ServerSocket(0, 50, InetAddress.getByName(LocalSqs.DEFAULT_HOST))) {
            Set<Thread> before = elasticMqThreads();

            assertThatThrownBy(() -> LocalSqs.start(LocalSqs.DEFAULT_HOST, taken.getLocalPort()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not listen");

            List<Thread> started = elasticMqThreads().stream().filter(t -> !before.contains(t)).toList();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (Thread thread : started) {
                thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
            assertThat(started).as("threads the refused start left running").noneMatch(Thread::isAlive);
        }
    }

    @Test
    @DisplayName("a blank host is refused before anything starts, naming it")
    void blankHostIsRefusedBeforeAnythingStarts() {
        Set<Thread> before = elasticMqThreads();

        assertThatThrownBy(() -> LocalSqs.start("", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host").hasMessageContaining("''");

        assertThat(elasticMqThreads()).as("threads started for a blank host").isSubsetOf(before);
    }
}
