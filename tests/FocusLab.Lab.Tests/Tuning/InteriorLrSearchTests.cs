using FocusLab.Lab.Tuning;

namespace FocusLab.Lab.Tests.Tuning;

public sealed class InteriorLrSearchTests
{
    /// <summary>A score whose minimum over log lr sits at <paramref name="optimum"/>, the same on every seed but for a seed offset.</summary>
    private static Func<double, double[]> Bowl(double optimum, List<double>? calls = null) => lr =>
    {
        calls?.Add(lr);
        double x = Math.Log10(lr / optimum);
        return [x * x + 1, x * x + 1.1, x * x + 0.9];
    };

    [Fact]
    public void An_interior_optimum_runs_only_the_initial_grid()
    {
        var calls = new List<double>();
        var r = InteriorLrSearch.Run([1e-3, 1e-2, 1e-1], Bowl(1e-2, calls));
        Assert.Equal(3, calls.Count);
        Assert.Equal(1e-2, r.BestLr);
        Assert.True(r.Interior);
        Assert.Equal(0, r.Extensions);
        Assert.Equal(1.0, r.Best.Mean, 12);
        Assert.Equal(0.1, r.Best.Std, 12);
    }

    [Fact]
    public void An_optimum_above_the_grid_extends_upwards_until_interior()
    {
        var r = InteriorLrSearch.Run([1e-3, 1e-2, 1e-1], Bowl(1.0));
        Assert.Equal(2, r.Extensions); // 1 and 10 added; 1 is interior
        Assert.Equal(1.0, r.BestLr, 12);
        Assert.True(r.Interior);
        Assert.Equal(new[] { 1e-3, 1e-2, 1e-1, 1.0, 10.0 }, r.Grid, new ToleranceComparer(1e-12));
    }

    [Fact]
    public void An_optimum_below_the_grid_extends_downwards_with_the_grids_own_ratio()
    {
        var r = InteriorLrSearch.Run([1e-2, 3e-2, 9e-2], Bowl(1e-3));
        // 1e-2/3, 1e-2/9 and 1e-2/27 are added; 1e-2/9 ≈ 1.11e-3 is the best and interior.
        Assert.Equal(3, r.Extensions);
        Assert.Equal(new[] { 1e-2 / 27, 1e-2 / 9, 1e-2 / 3, 1e-2, 3e-2, 9e-2 }, r.Grid, new ToleranceComparer(1e-12));
        Assert.Equal(1e-2 / 9, r.BestLr, 12);
        Assert.True(r.Interior);
    }

    [Fact]
    public void The_search_stops_after_max_extensions_and_flags_the_edge()
    {
        var calls = new List<double>();
        var r = InteriorLrSearch.Run([1e-3, 1e-2], Bowl(1e6, calls), maxExtensions: 2);
        Assert.Equal(4, calls.Count);
        Assert.Equal(2, r.Extensions);
        Assert.True(r.AtUpperEdge);
        Assert.False(r.Interior);
        Assert.Equal(1.0, r.BestLr, 9);
    }

    [Fact]
    public void A_diverged_seed_makes_its_lr_lose_and_all_diverged_extends_downwards()
    {
        // lr ≥ 1e-2 diverges on one seed; below it the score falls with lr until 1e-3.
        Func<double, double[]> f = lr => lr >= 1e-2 * 0.999 ? [0.1, double.NaN, 0.1] : Bowl(1e-3)(lr);
        var r = InteriorLrSearch.Run([1e-2, 1e-1], f, maxExtensions: 3);
        Assert.Equal(1e-3, r.BestLr, 12);
        Assert.True(r.Interior);
        Assert.True(double.IsPositiveInfinity(r.Trials.Single(t => Math.Abs(t.Lr - 1e-2) < 1e-12).Mean));
    }

    [Fact]
    public void Ties_go_to_the_smaller_lr()
    {
        var r = InteriorLrSearch.Run([1e-3, 1e-2, 1e-1, 1.0], _ => [1.0], maxExtensions: 0);
        Assert.Equal(0, r.BestIndex);
        Assert.True(r.AtLowerEdge);
    }

    [Theory]
    [InlineData(new double[0])]
    [InlineData(new[] { 1e-2, 1e-3 })]
    [InlineData(new[] { 0.0, 1e-3 })]
    [InlineData(new[] { 1e-3, double.PositiveInfinity })]
    public void Bad_grids_are_refused_with_a_reason(double[] lrs)
    {
        var e = Assert.Throws<ArgumentException>(() => InteriorLrSearch.Run(lrs, _ => [1.0]));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    private sealed class ToleranceComparer(double rel) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= rel * Math.Max(Math.Abs(a), Math.Abs(b));
        public int GetHashCode(double x) => 0;
    }
}
