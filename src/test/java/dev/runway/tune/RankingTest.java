package dev.runway.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How trials are ranked within a rung and on the leaderboard. */
class RankingTest {
  private static RungResult ok(String trial, int rung, double score) {
    return new RungResult(trial, rung, rung + 1, false, score, null, 1);
  }

  private static RungResult failed(String trial, int rung) {
    return new RungResult(trial, rung, rung + 1, true, null, "diverged", 1);
  }

  @Test
  void withinARungTheBestScoreFirstFailedLastTiesInTrialOrder() {
    List<RungResult> rung = new ArrayList<>(
        List.of(ok("t01", 0, 0.80), failed("t02", 0), ok("t03", 0, 0.90), ok("t04", 0, 0.80)));
    rung.sort(TuneJob.byScore(r -> r, true));
    assertEquals(
        List.of("t03", "t01", "t04", "t02"),
        rung.stream().map(RungResult::trial).toList());
    rung.sort(TuneJob.byScore(r -> r, false)); // a loss: lower first
    assertEquals(
        List.of("t01", "t04", "t03", "t02"),
        rung.stream().map(RungResult::trial).toList());
  }

  @Test
  void theLeaderboardPutsTheFurthestRungFirstAndATrialThatFailedLateLast() {
    List<List<RungResult>> trials = new ArrayList<>(List.of(
        List.of(ok("t01", 0, 0.70)),
        List.of(ok("t02", 0, 0.85), failed("t02", 1)),
        List.of(ok("t03", 0, 0.80), ok("t03", 1, 0.82)),
        List.of(ok("t05", 0, 0.75))));
    trials.sort(TuneJob.standingOrder(true));
    assertEquals(
        List.of("t03", "t05", "t01", "t02"),
        trials.stream().map(rs -> rs.get(rs.size() - 1).trial()).toList());
  }
}
