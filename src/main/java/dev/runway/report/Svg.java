package dev.runway.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small charts as inline SVG, for a report that loads nothing: a line chart, a horizontal bar
 * chart and a heat map. Each returns one {@code <svg>} element sized in pixels, every label
 * escaped. Axes run from the data's minimum to its maximum (a line chart's y axis from 0 when the
 * values are all positive and the minimum is under half the maximum).
 */
public final class Svg {
  static final String[] COLOURS = {"#3b6ea8", "#d2691e", "#2e8b57", "#8b3a62"};
  private static final int LEFT = 56;
  private static final int RIGHT = 16;
  private static final int TOP = 28;
  private static final int BOTTOM = 40;

  private Svg() {}

  /**
   * One series of a line chart.
   *
   * @param name its legend
   * @param x x values
   * @param y y values (null where missing: the line breaks there)
   */
  public record Series(String name, List<Double> x, List<Double> y) {}

  /** A line chart of {@code series} (points marked), with axis titles and a legend. */
  public static String lines(
      String title, String xTitle, String yTitle, List<Series> series, int width, int height) {
    return chart(title, xTitle, yTitle, series, width, height, true);
  }

  /** The points of {@code series}, unconnected (residuals against predictions, say). */
  public static String scatter(
      String title, String xTitle, String yTitle, List<Series> series, int width, int height) {
    return chart(title, xTitle, yTitle, series, width, height, false);
  }

  private static String chart(
      String title,
      String xTitle,
      String yTitle,
      List<Series> series,
      int width,
      int height,
      boolean connect) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().size(); i++) {
        if (s.y().get(i) == null) {
          continue;
        }
        xMin = Math.min(xMin, s.x().get(i));
        xMax = Math.max(xMax, s.x().get(i));
        yMin = Math.min(yMin, s.y().get(i));
        yMax = Math.max(yMax, s.y().get(i));
      }
    }
    if (xMin > xMax) {
      return empty(title, width, height);
    }
    if (yMin > 0 && yMin < yMax / 2) {
      yMin = 0;
    }
    Scale sx = new Scale(xMin, xMax, LEFT, width - RIGHT);
    // The legend's rows sit above the plotted range, so no point hides under them.
    Scale sy = new Scale(yMin, yMax, height - BOTTOM, TOP + 14 * series.size());
    StringBuilder out = open(title, width, height);
    axes(out, sx, sy, xTitle, yTitle, width, height);
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      String colour = COLOURS[k % COLOURS.length];
      List<String> points = new ArrayList<>();
      StringBuilder marks = new StringBuilder();
      for (int i = 0; i < s.x().size(); i++) {
        Double y = s.y().get(i);
        if (y == null) {
          if (connect) {
            path(out, points, colour);
          }
          points.clear();
          continue;
        }
        String px = num(sx.at(s.x().get(i)));
        String py = num(sy.at(y));
        points.add(px + "," + py);
        marks
            .append("<circle cx=\"")
            .append(px)
            .append("\" cy=\"")
            .append(py)
            .append("\" r=\"2.5\" fill=\"")
            .append(colour)
            .append("\"><title>")
            .append(escape(s.name()))
            .append(": ")
            .append(num(s.x().get(i)))
            .append(", ")
            .append(num(y))
            .append("</title></circle>");
      }
      if (connect) {
        path(out, points, colour);
      }
      out.append(marks);
      int ly = TOP + 4 + 14 * k;
      out.append("<rect x=\"")
          .append(width - RIGHT - 170)
          .append("\" y=\"")
          .append(ly - 8)
          .append("\" width=\"10\" height=\"3\" fill=\"")
          .append(colour)
          .append("\"/>")
          .append("<text x=\"")
          .append(width - RIGHT - 156)
          .append("\" y=\"")
          .append(ly)
          .append("\" font-size=\"11\">")
          .append(escape(s.name()))
          .append("</text>");
    }
    return out.append("</svg>").toString();
  }

  /** Horizontal bars, one per label, longest first as given; values may be negative. */
  public static String bars(String title, List<String> labels, List<Double> values, int width) {
    int row = 18;
    int height = TOP + row * labels.size() + 12;
    if (labels.isEmpty()) {
      return empty(title, width, 60);
    }
    double min =
        Math.min(0, values.stream().mapToDouble(Double::doubleValue).min().orElse(0));
    double max =
        Math.max(0, values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    int labelWidth = 150;
    Scale sx = new Scale(min, max == min ? min + 1 : max, labelWidth, width - 70);
    StringBuilder out = open(title, width, height);
    double zero = sx.at(0);
    for (int i = 0; i < labels.size(); i++) {
      double v = values.get(i);
      double a = Math.min(zero, sx.at(v));
      double w = Math.abs(sx.at(v) - zero);
      int y = TOP + row * i;
      out.append("<text x=\"")
          .append(labelWidth - 6)
          .append("\" y=\"")
          .append(y + 12)
          .append("\" font-size=\"11\" text-anchor=\"end\">")
          .append(escape(labels.get(i)))
          .append("</text><rect x=\"")
          .append(num(a))
          .append("\" y=\"")
          .append(y + 3)
          .append("\" width=\"")
          .append(num(Math.max(w, 0.5)))
          .append("\" height=\"")
          .append(row - 6)
          .append("\" fill=\"")
          .append(v < 0 ? "#c0504d" : COLOURS[0])
          .append("\"/><text x=\"")
          .append(num(Math.max(a + w, zero) + 4))
          .append("\" y=\"")
          .append(y + 12)
          .append("\" font-size=\"11\">")
          .append(num(v))
          .append("</text>");
    }
    return out.append("</svg>").toString();
  }

  /**
   * A heat map of {@code counts} (rows by columns) with the counts written in the cells, shaded
   * by their share of their row, so that every class's errors show whatever its size.
   */
  public static String heatMap(
      String title, String rowTitle, String columnTitle, List<String> names, long[][] counts) {
    int n = names.size();
    int cell = Math.max(26, Math.min(48, 480 / Math.max(1, n)));
    int labelWidth = 110;
    int longest = names.stream().mapToInt(String::length).max().orElse(1);
    int width = Math.max(380, labelWidth + cell * n + 20 + longest * 3);
    int height = TOP + 20 + cell * n + 16 + longest * 6;
    StringBuilder out = open(title, width, height);
    int top = TOP + 20;
    out.append("<text x=\"")
        .append(labelWidth + cell * n / 2)
        .append("\" y=\"")
        .append(TOP + 12)
        .append("\" font-size=\"11\" text-anchor=\"middle\">")
        .append(escape(columnTitle))
        .append("</text>");
    for (int i = 0; i < n; i++) {
      long total = 0;
      for (long c : counts[i]) {
        total += c;
      }
      out.append("<text x=\"")
          .append(labelWidth - 6)
          .append("\" y=\"")
          .append(top + cell * i + cell / 2 + 4)
          .append("\" font-size=\"11\" text-anchor=\"end\">")
          .append(escape(names.get(i)))
          .append("</text>");
      for (int j = 0; j < n; j++) {
        double share = total == 0 ? 0 : counts[i][j] / (double) total;
        int x = labelWidth + cell * j;
        int y = top + cell * i;
        out.append("<rect x=\"")
            .append(x)
            .append("\" y=\"")
            .append(y)
            .append("\" width=\"")
            .append(cell)
            .append("\" height=\"")
            .append(cell)
            .append("\" fill=\"")
            .append(shade(share, i == j))
            .append("\" stroke=\"#fff\"><title>")
            .append(escape(names.get(i)))
            .append(" as ")
            .append(escape(names.get(j)))
            .append(": ")
            .append(counts[i][j])
            .append("</title></rect><text x=\"")
            .append(x + cell / 2)
            .append("\" y=\"")
            .append(y + cell / 2 + 4)
            .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"")
            .append(share > 0.5 ? "#fff" : "#222")
            .append("\">")
            .append(counts[i][j])
            .append("</text>");
      }
    }
    for (int j = 0; j < n; j++) {
      int x = labelWidth + cell * j + cell / 2;
      int y = top + cell * n + 6;
      out.append("<text transform=\"translate(")
          .append(x + 4)
          .append(",")
          .append(y)
          .append(") rotate(60)\" font-size=\"11\">")
          .append(escape(names.get(j)))
          .append("</text>");
    }
    out.append("<text x=\"12\" y=\"")
        .append(top + cell * n / 2)
        .append("\" font-size=\"11\" transform=\"rotate(-90 12,")
        .append(top + cell * n / 2)
        .append(")\" text-anchor=\"middle\">")
        .append(escape(rowTitle))
        .append("</text>");
    return out.append("</svg>").toString();
  }

  /** The blue of a correct share, the red of an error's, lighter as the share falls. */
  static String shade(double share, boolean diagonal) {
    int[] base = diagonal ? new int[] {59, 110, 168} : new int[] {192, 80, 77};
    int[] rgb = new int[3];
    for (int c = 0; c < 3; c++) {
      rgb[c] = (int) Math.round(255 - (255 - base[c]) * Math.min(1, Math.max(0, share)));
    }
    return String.format(Locale.ROOT, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  }

  /** {@code text} safe in SVG and HTML text and attributes. */
  public static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  /** A linear map from data to pixels. */
  record Scale(double min, double max, double from, double to) {
    double at(double v) {
      return max == min ? (from + to) / 2 : from + (v - min) / (max - min) * (to - from);
    }
  }

  static String num(double v) {
    if ((v == Math.rint(v) || Math.abs(v) >= 1000) && Math.abs(v) < 1e15) {
      return String.valueOf(Math.round(v)); // an axis of examples/s reads 13740, not 1.374e+04
    }
    return String.format(Locale.ROOT, "%.4g", v)
        .replaceAll("(\\.\\d*?)0+($|e)", "$1$2")
        .replaceAll("\\.($|e)", "$1");
  }

  private static StringBuilder open(String title, int width, int height) {
    return new StringBuilder()
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(width)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"")
        .append(escape(title))
        .append("\" font-family=\"sans-serif\"><text x=\"")
        .append(LEFT)
        .append("\" y=\"16\"")
        .append(" font-size=\"13\" font-weight=\"bold\">")
        .append(escape(title))
        .append("</text>");
  }

  private static String empty(String title, int width, int height) {
    return open(title, width, height)
        .append("<text x=\"")
        .append(LEFT)
        .append("\" y=\"40\" font-size=\"11\">no data</text>")
        .append("</svg>")
        .toString();
  }

  private static void axes(
      StringBuilder out, Scale sx, Scale sy, String xTitle, String yTitle, int width, int height) {
    int x0 = LEFT;
    int y0 = height - BOTTOM;
    out.append("<line x1=\"")
        .append(x0)
        .append("\" y1=\"")
        .append(TOP)
        .append("\" x2=\"")
        .append(x0)
        .append("\" y2=\"")
        .append(y0)
        .append("\" stroke=\"#888\"/>")
        .append("<line x1=\"")
        .append(x0)
        .append("\" y1=\"")
        .append(y0)
        .append("\" x2=\"")
        .append(width - RIGHT)
        .append("\" y2=\"")
        .append(y0)
        .append("\" stroke=\"#888\"/>");
    for (int t = 0; t <= 4; t++) {
      double vy = sy.min() + (sy.max() - sy.min()) * t / 4;
      double py = sy.at(vy);
      out.append("<text x=\"")
          .append(x0 - 4)
          .append("\" y=\"")
          .append(num(py + 4))
          .append("\" font-size=\"10\" text-anchor=\"end\">")
          .append(num(vy))
          .append("</text>")
          .append("<line x1=\"")
          .append(x0)
          .append("\" y1=\"")
          .append(num(py))
          .append("\" x2=\"")
          .append(width - RIGHT)
          .append("\" y2=\"")
          .append(num(py))
          .append("\" stroke=\"#eee\"/>");
      double vx = sx.min() + (sx.max() - sx.min()) * t / 4;
      out.append("<text x=\"")
          .append(num(sx.at(vx)))
          .append("\" y=\"")
          .append(y0 + 14)
          .append("\" font-size=\"10\" text-anchor=\"middle\">")
          .append(num(vx))
          .append("</text>");
    }
    out.append("<text x=\"")
        .append((x0 + width - RIGHT) / 2)
        .append("\" y=\"")
        .append(height - 8)
        .append("\" font-size=\"11\" text-anchor=\"middle\">")
        .append(escape(xTitle))
        .append("</text><text x=\"12\" y=\"")
        .append((TOP + y0) / 2)
        .append("\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12,")
        .append((TOP + y0) / 2)
        .append(")\">")
        .append(escape(yTitle))
        .append("</text>");
  }

  private static void path(StringBuilder out, List<String> points, String colour) {
    if (points.size() > 1) {
      out.append("<polyline fill=\"none\" stroke=\"")
          .append(colour)
          .append("\" stroke-width=\"1.5\" points=\"")
          .append(String.join(" ", points))
          .append("\"/>");
    }
  }
}
