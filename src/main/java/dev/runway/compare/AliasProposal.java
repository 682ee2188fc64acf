package dev.runway.compare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Step one of moving an alias: {@code <seq>-<uuid>.proposal.json} under the alias's directory (see
 * {@link Aliases}). Written once, never changed.
 *
 * @param seq this move's place in the alias's sequence: 1 + the highest seq its writer saw
 * @param parentSeq the seq of the commit the alias resolved to when proposed; 0 when unset
 * @param runUri the run the alias is to point at
 * @param previousRunUri the run it pointed at (null when unset)
 * @param verdictUri the comparison that justified the move, if any
 * @param who user@host of the writer
 * @param proposedAt the writer's clock, for people: the protocol reads storage times only
 * @param leaseMs how long the proposal may block other moves, and how soon after it its commit
 *     must be stored to count. Recorded here so that readers and writers with different settings
 *     judge the same proposal alike
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "alias",
  "seq",
  "parent_seq",
  "run_uri",
  "previous_run_uri",
  "verdict_uri",
  "who",
  "proposed_at",
  "lease_ms"
})
public record AliasProposal(
    String alias,
    long seq,
    @JsonProperty("parent_seq") long parentSeq,
    @JsonProperty("run_uri") String runUri,
    @JsonProperty("previous_run_uri") String previousRunUri,
    @JsonProperty("verdict_uri") String verdictUri,
    String who,
    @JsonProperty("proposed_at") String proposedAt,
    @JsonProperty("lease_ms") long leaseMs) {}
