package dev.runway.compare;

import dev.runway.config.CompareSettings;
import dev.runway.features.Target;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The paired statistics of compare, on the joined rows: Wilcoxon and the paired bootstrap. */
final class PairedStatistics {
  private PairedStatistics() {}

  static Verdict.Test wilcoxon(Dataset<Row> pairs) {
    throw new UnsupportedOperationException("merging");
  }

  static List<Verdict.Test> bootstrap(Dataset<Row> pairs, Target target, CompareSettings settings) {
    throw new UnsupportedOperationException("merging");
  }
}
