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
 */
public record TrainingData(
    Dataset<Row> train,
    Dataset<Row> validation,
    Target target,
    long seed,
    Checkpoints checkpoints,
    Derived derived) {

  /** Training data whose derivations are the trainer's own. */
  public TrainingData(
      Dataset<Row> train,
      Dataset<Row> validation,
      Target target,
      long seed,
      Checkpoints checkpoints) {
    this(train, validation, target, seed, checkpoints, Derived.NONE);
  }
}
