package dev.runway.train;

import dev.runway.features.Columns;
import dev.runway.features.Target;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a trainer fits on: feature vectors in {@link Columns#FEATURES} and the label in
 * {@link Columns#LABEL}.
 *
 * @param train training rows
 * @param validation validation rows (may be empty)
 * @param target what is predicted
 * @param seed the job's seed, for every random choice a trainer makes
 * @param checkpoints where an iterative trainer saves its state after each epoch
 * @param derived what the trainer may share with other trainings of the same rows
 * @param trainRows rows of {@code train} when the caller counted them already, else -1
 * @param vectorSize size of the feature vectors when the caller knows it, else -1
 */
public record TrainingData(
    Dataset<Row> train,
    Dataset<Row> validation,
    Target target,
    long seed,
    Checkpoints checkpoints,
    Derived derived,
    long trainRows,
    int vectorSize) {

  /** Training data that a trainer counts and measures itself if it needs to. */
  public TrainingData(
      Dataset<Row> train,
      Dataset<Row> validation,
      Target target,
      long seed,
      Checkpoints checkpoints,
      Derived derived) {
    this(train, validation, target, seed, checkpoints, derived, -1, -1);
  }

  /** Training data whose derivations are the trainer's own. */
  public TrainingData(
      Dataset<Row> train,
      Dataset<Row> validation,
      Target target,
      long seed,
      Checkpoints checkpoints) {
    this(train, validation, target, seed, checkpoints, Derived.NONE);
  }

  /**
   * The same data with its training rows and vector size, which the job knows from preparing it:
   * a trainer that needs them then starts no Spark job to find them again.
   */
  public TrainingData sized(long trainRows, int vectorSize) {
    return new TrainingData(
        train, validation, target, seed, checkpoints, derived, trainRows, vectorSize);
  }
}
