package dev.runway.monitor;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.runway.run.InputContract.TypeChange;
import java.util.List;

/**
 * What {@code drift} found, saved as {@code drift.json}: per column compared, the test, its effect
 * size and the bins side by side; the verdict and why.
 *
 * @param command "drift"
 * @param job the run's job
 * @param runId the run compared with
 * @param input the new batch
 * @param rows rows checked: the batch after the run's source filter and SQL statements
 * @param referenceRows training rows the features and label were profiled on
 * @param labelled whether the batch had the label (then the label is compared too)
 * @param falseAlarmRate the Benjamini-Hochberg rate the p-values were adjusted at
 * @param minPsi the effect floor
 * @param verdict retrain or not, and why
 * @param columns every column compared: features, then label, then prediction
 * @param typeChanges source columns whose type changed
 * @param skipped what was not compared, and why
 */
@JsonPropertyOrder({
  "command",
  "job",
  "run_id",
  "input",
  "rows",
  "reference_rows",
  "labelled",
  "false_alarm_rate",
  "min_psi",
  "verdict",
  "columns",
  "type_changes",
  "skipped"
})
public record DriftReport(
    String command,
    String job,
    @JsonProperty("run_id") String runId,
    String input,
    long rows,
    @JsonProperty("reference_rows") long referenceRows,
    boolean labelled,
    @JsonProperty("false_alarm_rate") double falseAlarmRate,
    @JsonProperty("min_psi") double minPsi,
    Verdict verdict,
    List<Column> columns,
    @JsonProperty("type_changes") List<TypeChange> typeChanges,
    List<String> skipped) {

  /**
   * @param retrain whether the batch no longer looks like the training data
   * @param reasons each drifted column and each type change, in words; or why not
   * @param driftedColumns the columns that drifted
   */
  @JsonPropertyOrder({"retrain", "drifted_columns", "reasons"})
  public record Verdict(
      boolean retrain,
      @JsonProperty("drifted_columns") List<String> driftedColumns,
      List<String> reasons) {}

  /**
   * One column compared.
   *
   * @param role feature, label or prediction
   * @param kind numeric or categorical
   * @param statistic chi-square statistic of the two rows of bin counts
   * @param pValue its p-value
   * @param adjustedPValue Benjamini-Hochberg adjusted over every column compared
   * @param psi population stability index over the same bins
   * @param minPsi the effect floor it was held to
   * @param significant adjusted p-value at most the false-alarm rate
   * @param drifted significant and PSI at least the floor (or its type changed)
   * @param bins the bins with both counts
   */
  @JsonPropertyOrder({
    "column",
    "role",
    "kind",
    "statistic",
    "degrees_of_freedom",
    "p_value",
    "adjusted_p_value",
    "psi",
    "min_psi",
    "significant",
    "drifted",
    "bins"
  })
  public record Column(
      String column,
      String role,
      String kind,
      double statistic,
      @JsonProperty("degrees_of_freedom") int degreesOfFreedom,
      @JsonProperty("p_value") double pValue,
      @JsonProperty("adjusted_p_value") double adjustedPValue,
      double psi,
      @JsonProperty("min_psi") double minPsi,
      boolean significant,
      boolean drifted,
      List<Bin> bins) {}

  /** One bin: what it holds, and the reference's and the batch's counts in it. */
  @JsonPropertyOrder({"bin", "reference", "current"})
  public record Bin(String bin, long reference, long current) {}
}
