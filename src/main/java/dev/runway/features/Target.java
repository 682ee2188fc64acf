package dev.runway.features;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What is being predicted, found by inspecting the label column once before training.
 *
 * @param column the label column of the training table
 * @param classification true for classification, false for regression
 * @param classes class names in index order (empty for regression)
 * @param indexed true when class names are mapped to indices by a fitted StringIndexer;
 *     false when the label already holds indices 0..k-1 (or is a regression target)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Target(String column, boolean classification, List<String> classes, boolean indexed) {
  public boolean binary() {
    return classification && classes.size() == 2;
  }

  /** "classification" or "regression", as written in metrics.json and target.json. */
  @JsonProperty("task")
  public String task() {
    return classification ? "classification" : "regression";
  }
}
