package dev.runway.run;

/** The names of what a committed run holds, in one place for the writer and every reader. */
public final class RunFiles {
  /** The resolved job, secrets redacted. */
  public static final String JOB = "job.conf";
  /** The target: label column, task, classes in index order. */
  public static final String TARGET = "target.json";
  /** The source columns and types the run reads (see {@link InputContract}). */
  public static final String INPUT_CONTRACT = "input-contract.json";
  /** The fitted feature pipeline, in Spark ML's format. */
  public static final String FEATURE_PIPELINE = "feature-pipeline";
  /** The model, in the format the manifest's {@code model_format} names. */
  public static final String MODEL = "model";

  public static final String METRICS = "metrics.json";
  public static final String LINEAGE = "lineage.json";
  /** The reference profile {@code drift} compares new batches with (dev.runway.profile). */
  public static final String PROFILE = "profile/profile.json";
  /** The self-contained HTML report of the run (dev.runway.report.RunReport). */
  public static final String REPORT = "report.html";
  /** Per-row predictions of an evaluation (Parquet). */
  public static final String PREDICTIONS = "predictions";

  /** The outcome of a comparison of two runs: its tests, the gate and the decision. */
  public static final String VERDICT = "verdict.json";
  /** Per-row predictions of both runs of a comparison, joined (Parquet). */
  public static final String PAIRS = "pairs";

  private RunFiles() {}
}
