package dev.runway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.config.JobSettings.FeatureSettings.ImputeStrategy;
import dev.runway.config.JobSettings.FeatureSettings.Task;
import dev.runway.config.JobSettings.SourceSettings.Format;
import dev.runway.config.JobSettings.SourceSettings.Malformed;
import dev.runway.config.JobSettings.SplitSettings.Method;
import dev.runway.train.nn.NetworkSpec.HiddenActivation;
import dev.runway.train.nn.NetworkSpec.LrSchedule;
import dev.runway.train.nn.NetworkSpec.Updater;
import dev.runway.train.nn.TrainSettings.Engine;
import dev.runway.train.nn.TrainSettings.StopMetric;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Closed choices: each constant has one spelling, and that spelling is what it prints as. */
class ConfigChoiceTest {
  private static final List<Class<? extends ConfigChoice>> CHOICES = List.of(
      Format.class,
      Malformed.class,
      Task.class,
      ImputeStrategy.class,
      Method.class,
      HiddenActivation.class,
      Updater.class,
      LrSchedule.class,
      Engine.class,
      StopMetric.class);

  @Test
  void everyConstantPrintsAsItsUniqueConfigName() {
    for (Class<? extends ConfigChoice> type : CHOICES) {
      ConfigChoice[] constants = type.getEnumConstants();
      assertEquals(
          constants.length,
          Arrays.stream(constants).map(ConfigChoice::configName).distinct().count(),
          type.getName());
      for (ConfigChoice c : constants) {
        assertEquals(c.configName(), c.toString());
        assertTrue(c.configName().matches("[a-z0-9-]+"), c.configName());
      }
    }
  }

  @Test
  void parsingTakesTheConfigNameOnly() {
    assertEquals(Optional.of(Method.K_FOLD), ConfigChoice.parse(Method.class, "k-fold"));
    assertEquals(Optional.empty(), ConfigChoice.parse(Method.class, "K_FOLD"));
    assertEquals(List.of("random", "k-fold", "column"), ConfigChoice.names(Method.class));
  }
}
