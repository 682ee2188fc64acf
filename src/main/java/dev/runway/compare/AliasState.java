package dev.runway.compare;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where an alias points: the run of its last valid commit.
 *
 * @param seq that commit's seq, which a later move names as its parent
 * @param movedAt when storage recorded the commit (the store's clock)
 * @param who user@host that moved it
 * @param verdictUri the comparison the move named, if any
 */
public record AliasState(
    String alias,
    String runUri,
    long seq,
    Instant movedAt,
    String who,
    Optional<String> verdictUri) {

  /** For a command's JSON line. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alias", alias);
    m.put("run_uri", runUri);
    m.put("seq", seq);
    m.put("moved_at", movedAt.toString());
    m.put("who", who);
    verdictUri.ifPresent(v -> m.put("verdict_uri", v));
    return m;
  }
}
