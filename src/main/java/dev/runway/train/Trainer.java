package dev.runway.train;

import dev.runway.features.Target;
import java.util.Map;
import java.util.Optional;

/**
 * One way of fitting a model, chosen by {@code model.type}. A trainer reads and validates its
 * hyperparameters when it is created (see {@link Trainers}), says up front which targets it can
 * handle, and fits on feature vectors: it never sees storage, configuration files or the run
 * directory, so a new trainer plugs in without touching I/O.
 */
public interface Trainer {
  /** The {@code model.type} word. */
  String type();

  /** Throws a {@link dev.runway.error.JobConfigException} if this trainer cannot learn the target. */
  void checkTarget(Target target);

  /** Fits a model on {@link TrainingData#train()}; may use the validation split. */
  TrainedModel fit(TrainingData data);

  /**
   * Task slots one {@link #fit} keeps busy when Spark has {@code slots}: how many fits may run at
   * once (k-fold). An MLlib fit is a series of short jobs over all partitions, which interleave
   * well with another fit's; a network's workers hold their slots for the whole training.
   */
  default int slotsPerFit(int slots) {
    return 1;
  }

  /**
   * The candidates when a hyperparameter is {@code auto}, to be chosen among on validation rows
   * by the job; empty when every value is fixed (then {@link #fit} trains as configured).
   */
  default Optional<Grid> grid() {
    return Optional.empty();
  }

  /** The hyperparameters as read, for lineage. */
  Map<String, Object> params();
}
