package dev.jobq.sqs;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deliveries this provider handed out and has not settled, by receipt handle, and the newest
 * receipt of each message. A receipt whose message was received again since (its lease ended and
 * the message came back) is stale: acknowledging or failing it is refused ({@code LeaseLostException})
 * and releasing it ignored, as the SPI has it, instead of being sent to SQS, where an old receipt may
 * still delete the message that another delivery now runs. A lease whose heartbeat SQS refused because
 * it no longer holds the delivery is lost: no longer current, but its receipt remembered until its
 * settle comes (or SQS's 12 hours pass), so that the settle's refusal (or a release's line) says why.
 * Leases older than SQS's 12-hour maximum are dropped when a receive returns. Thread-safe.
 */
final class Leases {

    private final Map<String, Lease> byReceipt = new ConcurrentHashMap<>();
    private final Map<String, String> newestReceipt = new ConcurrentHashMap<>();
    /**
     * The receive time of each lost lease by receipt: not the lease, whose message body (up to 1 MiB) would
     * stay for 12 hours when no settle comes, as for an attempt cancelled by the loss that ends without one.
     */
    private final Map<String, Long> lost = new ConcurrentHashMap<>();

    void add(Lease lease) {
        byReceipt.put(lease.receipt(), lease);
        String previous = newestReceipt.put(lease.messageId(), lease.receipt());
        if (previous != null && !previous.equals(lease.receipt())) {
            byReceipt.remove(previous);
        }
    }

    /** The lease of {@code receipt} while it is the message's newest delivery here; empty when stale or settled. */
    Optional<Lease> current(String receipt) {
        return Optional.ofNullable(byReceipt.get(receipt));
    }

    /** Marks a current lease lost: SQS no longer holds its delivery. */
    void lost(Lease lease) {
        if (byReceipt.remove(lease.receipt(), lease)) {
            newestReceipt.remove(lease.messageId(), lease.receipt());
            lost.put(lease.receipt(), lease.receivedNanos());
        }
    }

    /** True, once, if {@code receipt}'s lease was {@linkplain #lost lost}; it is forgotten then. */
    boolean takeLost(String receipt) {
        return lost.remove(receipt) != null;
    }

    /** Forgets a settled lease. */
    void settled(Lease lease) {
        byReceipt.remove(lease.receipt(), lease);
        newestReceipt.remove(lease.messageId(), lease.receipt());
    }

    /** Drops leases SQS no longer holds (past 12 hours from their receive). */
    void forgetExpired(long nowNanos) {
        lost.values().removeIf(receivedNanos -> Lease.visibilityLeft(receivedNanos, nowNanos).isZero());
        byReceipt.values().removeIf(lease -> {
            boolean expired = lease.visibilityLeft(nowNanos).isZero();
            if (expired) {
                newestReceipt.remove(lease.messageId(), lease.receipt());
            }
            return expired;
        });
    }

    int size() {
        return byReceipt.size();
    }
}
