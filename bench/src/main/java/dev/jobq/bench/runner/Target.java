package dev.jobq.bench.runner;

import java.util.Locale;

/** What a metric must reach; judged on the median over the runs, or on every run where a kind says so. */
public sealed interface Target {

    /** True when the runs meet the target. */
    boolean met(MetricSummary summary);

    /** How the table writes the target. */
    String describe(Unit unit);

    /** No target is set: the figure is reported only. */
    static Target none() {
        return new None();
    }

    /** The figure must be at least {@code percent} % of its ceiling (throughput). */
    static Target atLeastPercentOfCeiling(double percent) {
        return new RatioAtLeast(percent / 100);
    }

    /** The figure must stay below {@code limit}, in the metric's unit. */
    static Target below(double limit) {
        return new Below(limit);
    }

    /** The figure must not exceed {@code limit}, in the metric's unit. */
    static Target atMost(double limit) {
        return new AtMost(limit);
    }

    /**
     * The figure must be at least {@code limit} in every run: judged on the minimum over all runs,
     * not the median (B7's "never early": no job of any run may reach its queue before it is due).
     */
    static Target atLeastInEveryRun(double limit) {
        return new MinimumAtLeast(limit);
    }

    record None() implements Target {
        @Override
        public boolean met(MetricSummary summary) {
            return true;
        }

        @Override
        public String describe(Unit unit) {
            return "—";
        }
    }

    record RatioAtLeast(double ratio) implements Target {
        @Override
        public boolean met(MetricSummary summary) {
            return summary.ratio().median() >= ratio;
        }

        @Override
        public String describe(Unit unit) {
            return String.format(Locale.ROOT, "≥ %.0f %%", ratio * 100);
        }
    }

    record Below(double limit) implements Target {
        @Override
        public boolean met(MetricSummary summary) {
            return summary.value().median() < limit;
        }

        @Override
        public String describe(Unit unit) {
            return "< " + unit.format(limit) + " " + unit.symbol();
        }
    }

    record AtMost(double limit) implements Target {
        @Override
        public boolean met(MetricSummary summary) {
            return summary.value().median() <= limit;
        }

        @Override
        public String describe(Unit unit) {
            return "≤ " + unit.format(limit) + " " + unit.symbol();
        }
    }

    record MinimumAtLeast(double limit) implements Target {
        @Override
        public boolean met(MetricSummary summary) {
            return summary.value().min() >= limit;
        }

        @Override
        public String describe(Unit unit) {
            return "min ≥ " + unit.format(limit) + " " + unit.symbol() + " (every run)";
        }
    }
}
