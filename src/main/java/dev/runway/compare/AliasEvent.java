package dev.runway.compare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One decision about an alias, promoted or not, as {@code history/<time>-<uuid>.json} under the
 * alias's directory. The history is a record for people and audits: resolving the alias never
 * reads it.
 *
 * @param status what was decided, e.g. {@code promoted}, {@code rejected}, {@code lost}
 * @param candidate the run that was to get the alias
 * @param previous the run the alias pointed at when decided (null when unset)
 * @param reasons the decision's reasons in words
 * @param verdictUri the comparison behind the decision, if any
 * @param seq the alias's seq after the decision when it moved; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "alias",
  "at",
  "who",
  "status",
  "candidate",
  "previous",
  "reasons",
  "verdict_uri",
  "seq"
})
public record AliasEvent(
    String alias,
    String at,
    String who,
    String status,
    String candidate,
    String previous,
    List<String> reasons,
    @JsonProperty("verdict_uri") String verdictUri,
    Long seq) {}
