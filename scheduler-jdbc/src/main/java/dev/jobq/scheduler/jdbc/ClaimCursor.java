package dev.jobq.scheduler.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;

/**
 * Where the claims of one drain through a backlog of one-time rows start: after the last row the
 * drain's threads claimed, so that a claim does not step again, in the due index, over the rows the
 * drain handed on before it. PostgreSQL keeps those rows' entries in the index until a vacuum
 * removes them, and a claim from the start read them all each time: among a million rows due
 * later, whose due index has room between its entries, that made a batch about a tenth slower than
 * on an empty table (docs/benchmarks.md, Phase 13).
 *
 * <p>A row can be due and behind the cursor: written meanwhile with an earlier due time, or left
 * by a batch that rolled back. A thread whose claim after the cursor comes back short therefore
 * claims once more from the start before it ends, and the cursor sends a claim to the start at
 * least every {@link #RESTART_EVERY}, so such a row waits no longer than that in a long backlog.
 * The cursor is the last claim's last row, whichever thread made it: with several threads it may
 * step back by a batch, whose rows the next claim skips as locked or meets no more.
 *
 * <p>On PostgreSQL only. H2 takes a deleted row's entries out of its indexes when the transaction
 * commits, so a claim from the start steps over nothing; there every claim starts at the start, as
 * before (in a scratch run of H2's claim and mark alone, ten rounds, going on from the last row was
 * no faster: medians of 72,600 against 75,400 rows/s on an empty table, 69,200 against 70,100 among
 * 100,000 future rows).
 */
final class ClaimCursor {

    /** How long a drain's claims may go on from the cursor before one starts from the start again. */
    static final Duration RESTART_EVERY = Duration.ofSeconds(1);

    private final InstantSource clock;
    private final boolean goesOn;
    private @Nullable DuePlace last;
    private Instant restartAt;

    /** A cursor for one drain; unless {@code goesOn}, every claim starts at the start. */
    ClaimCursor(InstantSource clock, boolean goesOn) {
        this.clock = clock;
        this.goesOn = goesOn;
        this.restartAt = clock.instant().plus(RESTART_EVERY);
    }

    /** Where the next claim starts: after the place returned, or at the start (null). */
    synchronized @Nullable DuePlace next() {
        if (!goesOn) {
            return null;
        }
        Instant now = clock.instant();
        if (!now.isBefore(restartAt)) {
            restartAt = now.plus(RESTART_EVERY);
            return null;
        }
        return last;
    }

    /** Records the last row, in due order, of a claim that took rows. */
    synchronized void claimed(DuePlace place) {
        last = place;
    }
}
