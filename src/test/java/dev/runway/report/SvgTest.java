package dev.runway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgTest {
  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aLineChartMapsItsPointsOntoThePlotAndBreaksAtMissingValues() throws Exception {
    Svg.Series loss = new Svg.Series(
        "train <loss> & \"more\"", List.of(1.0, 2.0, 3.0, 4.0), Arrays.asList(4.0, 2.0, null, 1.0));
    Document d = parse(Svg.lines("Loss", "epoch", "loss", List.of(loss), 400, 200));
    NodeList circles = d.getElementsByTagName("circle");
    assertEquals(3, circles.getLength(), "the missing value is not drawn");
    Element first = (Element) circles.item(0);
    Element last = (Element) circles.item(2);
    assertEquals("56", first.getAttribute("cx"), "x minimum at the left of the plot");
    assertEquals("384", last.getAttribute("cx"), "x maximum at the right (400 - 16)");
    // y from 0 (all positive, the minimum under half the maximum) to 4: 4 is at the top of the
    // plot (42: 28 for the title, 14 for the legend's one row), 0 at 160.
    assertEquals("42", first.getAttribute("cy"));
    assertEquals(Svg.num(160 - 1 / 4.0 * 118), last.getAttribute("cy"));
    NodeList lines = d.getElementsByTagName("polyline");
    assertEquals(1, lines.getLength(), "4 to 2 joined; 1 alone after the gap");
    assertEquals("56,42 165.3,101", ((Element) lines.item(0)).getAttribute("points"));
    assertTrue(d.getDocumentElement().getTextContent().contains("train <loss> & \"more\""));
  }

  @Test
  void barsAndAHeatMapAreWellFormedWithAwkwardNames() throws Exception {
    Document bars = parse(Svg.bars("Timings", List.of("read", "a<b"), List.of(1.5, -0.5), 500));
    assertEquals(2, bars.getElementsByTagName("rect").getLength());
    Document heat = parse(Svg.heatMap(
        "Confusion", "true", "predicted", List.of("T-shirt/top", "Ankle & boot"), new long[][] {
          {8, 2}, {0, 10}
        }));
    NodeList cells = heat.getElementsByTagName("rect");
    assertEquals(4, cells.getLength());
    assertEquals(Svg.shade(0.8, true), ((Element) cells.item(0)).getAttribute("fill"));
    assertEquals("#ffffff", Svg.shade(0.0, false), "no errors: white");
    assertEquals("#3b6ea8", Svg.shade(1.0, true), "all correct: the full blue");
  }
}
