
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Lab.Tests.Studies.Sharpness;

public class SharpnessLineSearchFigureTests
{
    private static SharpnessMeasurement Row(string name, bool descent, double[] steps, double[] losses) =>
        new(name, 1, 1, false, 1, -1, descent ? 2 - losses.Min() : 0, steps[0], steps[0], descent, steps, losses);

    [Fact]
    public void A_direction_without_descent_is_named_but_not_drawn_so_it_cannot_stretch_the_step_axis()
    {
        var rows = new[]
        {
            Row("sgd", false, [1e-13, 2e-13, 3e-13], [2, 2, 2]),
            Row("adam", true, [0.1, 0.2, 0.3], [1.9, 1.8, 2.1]),
        };
        var checkpoint = new SharpnessCheckpoint("adam", 1, 300, 2, 2, 1, rows, null);
        string svg = SharpnessLineSearchFigure.Render("gpt", checkpoint);
        var texts = System.Xml.Linq.XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value.Trim()).ToArray();
        Assert.Contains(texts, t => t.Contains("no descent found along sgd (not drawn)", StringComparison.Ordinal));
        Assert.Contains("adam", texts);
        Assert.DoesNotContain("sgd", texts);
        Assert.DoesNotContain("1e-13", svg); // the axis spans only the drawn grids
    }
}
