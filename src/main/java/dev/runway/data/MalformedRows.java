package dev.runway.data;

import dev.runway.config.JobSettings.SourceSettings.Malformed;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rows of a text source that did not parse.
 *
 * @param policy source.malformed: fail or drop
 * @param count malformed rows in all files
 * @param files malformed rows per file that has any, in path order
 * @param firstFile the first such file (null when count is 0)
 * @param firstRecord the text of a malformed row in it (null when count is 0)
 */
public record MalformedRows(
    Malformed policy, long count, Map<String, Long> files, String firstFile, String firstRecord) {

  /** What lineage.json records: the policy, the count and where they were (the text is data: not kept). */
  public Map<String, Object> lineage() {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("policy", policy.configName());
    l.put("rows", count);
    l.put("files", files);
    return l;
  }
}
