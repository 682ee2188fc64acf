package dev.runway.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runway.TestSpark;
import dev.runway.features.Target;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void accuracyAndWeightedF1FromAConfusionMatrix() {
    // true class by row, predicted class by column
    long[][] cm = {{5, 1, 0}, {2, 3, 0}, {0, 0, 4}};
    assertEquals(12.0 / 15, Metrics.accuracy(cm), 1e-12);
    double f1c0 = 2.0 * 5 / (6 + 7);
    double f1c1 = 2.0 * 3 / (5 + 4);
    double f1c2 = 1.0;
    assertEquals((f1c0 * 6 + f1c1 * 5 + f1c2 * 4) / 15, Metrics.weightedF1(cm), 1e-12);
  }

  @Test
  void regressionMetricsMatchTheirDefinitions() {
    Dataset<Row> p = TestSpark.session().sql(
        "SELECT * FROM VALUES (1.0D, 1.5D), (2.0D, 2.0D), (3.0D, 2.0D), (6.0D, 7.0D) AS t(_label, _prediction)");
    Map<String, Object> m = Metrics.of(p, new Target("y", false, List.of(), false));
    double mse = (0.25 + 0 + 1 + 1) / 4;
    double mean = 3.0;
    double sst = ((1 - mean) * (1 - mean) + 1 + 0 + 9) / 4;
    assertEquals(4L, m.get("rows"));
    assertEquals(Math.sqrt(mse), (double) m.get("rmse"), 1e-12);
    assertEquals((0.5 + 0 + 1 + 1) / 4, (double) m.get("mae"), 1e-12);
    assertEquals(1 - mse / sst, (double) m.get("r2"), 1e-12);
  }
}
