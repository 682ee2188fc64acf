package dev.runway.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * The candidates of one hyperparameter set to {@code auto}: a trainer per value of its grid,
 * each with that value fixed. The job chooses among them on validation rows (or folds).
 *
 * @param key the hyperparameter's full key, e.g. model.logistic-regression.reg-param
 * @param values the grid, in the order tried
 * @param trainers one trainer per value
 */
public record Grid(String key, List<Double> values, List<Trainer> trainers) {
  /** The grid of {@code key} over {@code values}, a trainer for each made by {@code withValue}. */
  static Grid of(String key, List<Double> values, DoubleFunction<Trainer> withValue) {
    return new Grid(key, values, values.stream().map(v -> withValue.apply(v)).toList());
  }

  /** {@code params} with the hyperparameter {@code name} set to {@code value}, for lineage. */
  static Map<String, Object> with(Map<String, Object> params, String name, double value) {
    Map<String, Object> out = new LinkedHashMap<>(params);
    out.put(name, value);
    return out;
  }
}
