package dev.runway.compare;

import java.util.Optional;

/**
 * The outcome of {@link Aliases#move}.
 *
 * @param won true when this move's commit is valid: the alias points at {@code candidate}
 * @param seq the seq this move proposed; 0 when it wrote nothing (the alias had moved already)
 * @param candidate the run the move was to point the alias at
 * @param previous where the alias pointed when the move looked (empty when unset)
 * @param reason what happened, in words: on a loss, who or what stood in the way and until when
 */
public record MoveResult(
    String alias,
    boolean won,
    long seq,
    String candidate,
    Optional<String> previous,
    String reason) {}
