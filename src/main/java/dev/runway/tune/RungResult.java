package dev.runway.tune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How one trial did at one rung, saved in the uncommitted tune as soon as it is known: what a
 * resumed tune reads instead of training the trial again.
 *
 * @param trial the trial's id
 * @param rung the rung, from 0
 * @param budget the rung's budget
 * @param failed whether its training failed
 * @param score the validation metric; null when failed
 * @param error why it failed; else null
 * @param executorSeconds the executor time its training and scoring took
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RungResult(
    String trial,
    int rung,
    int budget,
    boolean failed,
    Double score,
    String error,
    @JsonProperty("executor_seconds") double executorSeconds) {}
