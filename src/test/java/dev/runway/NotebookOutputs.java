package dev.runway;

import dev.runway.artifacts.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What an executed notebook (Jupyter's JSON) shows: its printed text and its plots. */
public final class NotebookOutputs {
  private NotebookOutputs() {}

  /** Everything the code cells printed, in order. */
  public static String text(Path notebook) throws IOException {
    StringBuilder out = new StringBuilder();
    for (Map<?, ?> output : outputs(notebook)) {
      if ("stream".equals(output.get("output_type"))) {
        Object text = output.get("text");
        out.append(
            text instanceof List<?> lines
                ? String.join("", lines.stream().map(String::valueOf).toList())
                : text);
      }
    }
    return out.toString();
  }

  /** How many PNG images the cells produced. */
  public static long images(Path notebook) throws IOException {
    return outputs(notebook).stream()
        .filter(o -> o.get("data") instanceof Map<?, ?> data && data.containsKey("image/png"))
        .count();
  }

  private static List<Map<?, ?>> outputs(Path notebook) throws IOException {
    Map<String, Object> book = Json.parse(Files.readString(notebook));
    List<Map<?, ?>> out = new ArrayList<>();
    for (Object cell : (List<?>) book.get("cells")) {
      if (((Map<?, ?>) cell).get("outputs") instanceof List<?> outputs) {
        outputs.forEach(o -> out.add((Map<?, ?>) o));
      }
    }
    return out;
  }
}
