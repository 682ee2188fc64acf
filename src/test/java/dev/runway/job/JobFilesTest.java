package dev.runway.job;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.runway.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every example job in conf/jobs stays valid as the code changes. */
class JobFilesTest {
  @Test
  void everyExampleJobValidates() throws IOException {
    List<Path> jobs;
    try (Stream<Path> files = Files.list(TestData.repo().resolve("conf/jobs"))) {
      jobs = files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertFalse(jobs.isEmpty());
    for (Path job : jobs) {
      JobDefinition.load(job.toString(), List.of());
    }
  }
}
