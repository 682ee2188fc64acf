package dev.runway.compare;

import dev.runway.config.CompareSettings;
import dev.runway.features.Target;
import dev.runway.stats.MetricDelta;
import dev.runway.stats.PairedBootstrap;
import dev.runway.stats.WilcoxonSignedRank;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The paired statistics of compare, on the joined rows: Wilcoxon and the paired bootstrap. */
final class PairedStatistics {
  private PairedStatistics() {}

  /**
   * Wilcoxon's signed-rank test on |baseline error| − |candidate error| per row, on Spark: does
   * the candidate tend to be closer to the label? Robust to the few huge errors that dominate a
   * paired test of squared errors.
   */
  static Verdict.Test wilcoxon(Dataset<Row> pairs) {
    WilcoxonSignedRank w = WilcoxonSignedRank.test(pairs, PairedRows.ABS_ERROR_DIFFERENCE);
    return Verdict.Test.pairedTest(
        "wilcoxon-signed-rank",
        w.wPlus(),
        w.z(),
        w.pValue(),
        w.method().label(),
        Map.of("non_zero_differences", w.n()));
  }

  /**
   * The paired bootstrap intervals of candidate − baseline on Spark, one per metric of the task:
   * accuracy, log loss and (two classes) AUC; RMSE and MAE. The weights are keyed by each pair's
   * key, so the same seed gives the same intervals on any cluster.
   */
  static List<Verdict.Test> bootstrap(Dataset<Row> pairs, Target target, CompareSettings settings) {
    PairedBootstrap bootstrap =
        new PairedBootstrap(settings.resamples(), settings.confidence(), settings.seed());
    // The weights are keyed by the pair key; the holdout's own key column may share the name.
    Dataset<Row> rows = pairs
        .drop(PairedBootstrap.ROW_KEY)
        .withColumnRenamed(PairedRows.PAIR_KEY, PairedBootstrap.ROW_KEY);
    List<MetricDelta> deltas = target.classification()
        ? bootstrap.classification(rows, target.binary())
        : bootstrap.regression(rows);
    List<Verdict.Test> tests = new ArrayList<>();
    for (MetricDelta d : deltas) {
      tests.add(Verdict.Test.interval(
          d.metric(),
          d.baseline(),
          d.candidate(),
          d.delta(),
          d.interval().map(i -> List.of(i.lower(), i.upper())).orElse(null),
          d.level(),
          d.resamples(),
          d.seed(),
          d.metric().equals("auc") ? d.binningError() : null));
    }
    return tests;
  }
}
