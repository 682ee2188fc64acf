package dev.runway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.runway.train.Trainers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The contract of reference.conf: every key is documented, and every key is read by the code
 * (so a key cannot be added, or left behind, without a reader), checked for every model type.
 */
class ReferenceConfTest {
  private static final Config REFERENCE = ConfigFactory.parseResources("reference.conf");

  @Test
  void everyKeyHasACommentLine() throws IOException {
    List<String> undocumented = new ArrayList<>();
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("reference.conf")) {
      List<String> lines =
          new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        boolean setsValue = line.matches("\"?[a-z][\\w.\"-]*\"?\\s*=.*");
        if (setsValue && (i == 0 || !lines.get(i - 1).strip().startsWith("#"))) {
          undocumented.add((i + 1) + ": " + line);
        }
      }
    }
    assertEquals(List.of(), undocumented);
  }

  @Test
  void everyJobKeyIsReadForSomeModelType() {
    Set<String> read = new TreeSet<>();
    for (String type : Trainers.types()) {
      ConfigReader r = new ConfigReader(JobConfigLoader.load(
          null,
          List.of(
              "job.name=j",
              "source.path=x",
              "features.label=y",
              "features.numeric=[a]",
              "tune.space={\"train.batch-size\":{values=[64]}}",
              "model.type=" + type)));
      JobSettings.read(r);
      Trainers.read(r);
      TuneSettings.read(r);
      r.throwIfProblems();
      read.addAll(r.readPaths());
    }
    Set<String> unread = new TreeSet<>();
    for (var entry : REFERENCE.entrySet()) {
      String path = entry.getKey();
      boolean open = JobSettings.OPEN_MAPS.stream().anyMatch(m -> path.startsWith(m + "."));
      if (!open
          && !path.startsWith("datasets.")
          && !path.startsWith("bench.")
          && !read.contains(path)) {
        unread.add(path);
      }
    }
    // Required keys are null in reference.conf and absent from entrySet(); check them apart.
    for (String required : List.of("job.name", "source.path", "features.label")) {
      assertTrue(REFERENCE.getIsNull(required), required + " should be required (null)");
      assertTrue(read.contains(required), required);
    }
    assertEquals(Set.of(), unread);
  }
}
