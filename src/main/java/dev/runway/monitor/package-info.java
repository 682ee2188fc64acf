/**
 * The drift check: the reference profile written at training time (the bins of every feature
 * column of the training table) and the {@code drift} command's comparison of a new batch with it,
 * which says whether the model should be retrained.
 *
 * <ul>
 *   <li>{@link dev.runway.monitor.DriftRule}: the pure decision from both sides' bin counts per
 *       column: a chi-square test per column, Benjamini–Hochberg across columns at a stated
 *       false-discovery rate, and a PSI floor so that large batches do not flag trivia.
 * </ul>
 */
package dev.runway.monitor;
