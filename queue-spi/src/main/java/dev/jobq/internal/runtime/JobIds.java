package dev.jobq.internal.runtime;

import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7 job ids (RFC 9562): 48 bits of Unix milliseconds from the queue's clock, then random bits,
 * so ids sort roughly by creation time and never collide in practice.
 */
final class JobIds {

    private final InstantSource clock;

    JobIds(InstantSource clock) {
        this.clock = clock;
    }

    String next() {
        long millis = clock.millis();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
