package dev.runway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.artifacts.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a page in a real browser (Debian's chromium, headless) and reports what a user's browser
 * would have seen go wrong: console messages, and requests the page made (from Chromium's network
 * log: requests with the page as initiator, apart from the browser's own background ones). Writes
 * a screenshot.
 */
public final class ReportBrowser {
  private static final Pattern METRIC = Pattern.compile("data-metric=\"([^\"]+)\">([^<]*)");

  private ReportBrowser() {}

  /**
   * What loading a page showed.
   *
   * @param console the page's console messages
   * @param pageRequests URLs the page asked for
   */
  public record Loaded(List<String> console, List<String> pageRequests) {}

  public static Loaded load(Path page, Path screenshot, int height)
      throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("runway-chromium");
    Path netLog = work.resolve("net.json");
    Files.createDirectories(screenshot.toAbsolutePath().getParent());
    ProcessBuilder pb = new ProcessBuilder(
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--user-data-dir=" + work.resolve("profile"),
            "--enable-logging=stderr",
            "--v=0",
            "--log-net-log=" + netLog,
            "--screenshot=" + screenshot.toAbsolutePath(),
            "--window-size=1100," + height,
            page.toAbsolutePath().toUri().toString())
        .redirectOutput(work.resolve("out.txt").toFile())
        .redirectError(work.resolve("err.txt").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
    String err = Files.readString(work.resolve("err.txt"), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), err);
    assertTrue(Files.size(screenshot) > 0, "no screenshot: " + err);
    List<String> console = err.lines().filter(l -> l.contains(":CONSOLE")).toList();
    List<String> requests = new ArrayList<>();
    Map<String, Object> log = Json.parse(Files.readString(netLog, StandardCharsets.UTF_8));
    Map<?, ?> types = (Map<?, ?>) ((Map<?, ?>) log.get("constants")).get("logEventTypes");
    Object start = types.get("URL_REQUEST_START_JOB");
    for (Object e : (List<?>) log.get("events")) {
      Map<?, ?> event = (Map<?, ?>) e;
      if (start.equals(event.get("type"))
          && event.get("params") instanceof Map<?, ?> params
          && params.get("url") != null
          && !"not an origin".equals(params.get("initiator"))) {
        requests.add(String.valueOf(params.get("url")));
      }
    }
    return new Loaded(console, requests);
  }

  /** Every metric the page shows, by its data-metric key ("test.accuracy"), as shown. */
  public static Map<String, String> metricsShown(String html) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = METRIC.matcher(html);
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  /** Fails unless every metric shown is metrics.json's value (four decimals; rows exactly). */
  public static int assertMetricsMatch(String html, Map<String, Object> metricsJson) {
    return assertMetricsMatch(html, metricsJson, List.of());
  }

  /**
   * Fails unless every metric shown is its file's value (four decimals; rows exactly): a split's
   * ("test.accuracy") the run's metrics.json, an evaluation's ("evaluate0.accuracy") the metrics.json
   * of the report's first evaluation, and so on.
   */
  public static int assertMetricsMatch(
      String html, Map<String, Object> metricsJson, List<Map<String, Object>> evaluations) {
    Map<?, ?> splits = (Map<?, ?>) metricsJson.get("splits");
    Map<String, String> shown = metricsShown(html);
    int compared = 0;
    for (Map.Entry<String, String> e : shown.entrySet()) {
      String[] key = e.getKey().split("\\.", 2);
      Map<?, ?> source = key[0].startsWith("evaluate")
          ? (Map<?, ?>) evaluations
              .get(Integer.parseInt(key[0].substring("evaluate".length())))
              .get("metrics")
          : (Map<?, ?>) splits.get(key[0]);
      Object value = source.get(key[1]);
      String expected = value == null
          ? ""
          : key[1].equals("rows")
              ? String.valueOf(((Number) value).longValue())
              : RunReport.decimal(((Number) value).doubleValue());
      assertEquals(expected, e.getValue(), e.getKey());
      if (!expected.isEmpty()) {
        compared++;
      }
    }
    return compared;
  }
}
