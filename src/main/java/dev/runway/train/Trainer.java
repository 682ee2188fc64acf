package dev.runway.train;

import dev.runway.features.Target;
import java.util.Map;

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

  /** The hyperparameters as read, for lineage. */
  Map<String, Object> params();
}
