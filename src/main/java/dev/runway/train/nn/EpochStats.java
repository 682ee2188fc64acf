package dev.runway.train.nn;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch did, for the progress line and metrics.json.
 *
 * @param epoch 1-based epoch
 * @param trainLoss mean minibatch loss over the epoch
 * @param validationLoss mean loss on the validation split (NaN without one)
 * @param validationAccuracy accuracy on the validation split (NaN for regression or without one)
 * @param examples training examples seen (each exactly once)
 * @param seconds wall time of the epoch's training rounds
 * @param computeSeconds summed over rounds, the slowest worker's time in minibatch steps
 * @param rounds averaging rounds
 * @param divergence mean over rounds of the workers' relative distance from their average
 */
record EpochStats(
    int epoch,
    double trainLoss,
    double validationLoss,
    double validationAccuracy,
    long examples,
    double seconds,
    double computeSeconds,
    int rounds,
    double divergence)
    implements Serializable {

  double examplesPerSecond() {
    return examples / seconds;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("train_loss", finite(trainLoss));
    m.put("validation_loss", finite(validationLoss));
    m.put("validation_accuracy", finite(validationAccuracy));
    m.put("examples", examples);
    m.put("examples_per_s", Math.round(examplesPerSecond()));
    m.put("seconds", round(seconds));
    m.put("compute_s", round(computeSeconds));
    m.put("averaging_and_communication_s", round(seconds - computeSeconds));
    m.put("rounds", rounds);
    m.put("replica_divergence", finite(divergence));
    return m;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
