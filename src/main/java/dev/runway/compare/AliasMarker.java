package dev.runway.compare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What a proposal's writer decided, in {@code <seq>-<uuid>.commit.json} (it won: the alias moves
 * if readers find the commit valid) or {@code <seq>-<uuid>.abandoned.json} (it lost and will never
 * commit, so the proposal blocks nobody). Readers go by the file's name and storage time; the
 * content is for people.
 *
 * @param reason why it was abandoned; null for a commit
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"alias", "seq", "run_uri", "who", "at", "reason"})
public record AliasMarker(
    String alias,
    long seq,
    @JsonProperty("run_uri") String runUri,
    String who,
    String at,
    String reason) {}
