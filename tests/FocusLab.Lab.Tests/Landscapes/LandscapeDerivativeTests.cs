using FocusLab.Lab.Landscapes;

namespace FocusLab.Lab.Tests.Landscapes;

/// <summary>Gradients and Hessian-vector products against central finite differences in double precision.</summary>
public class LandscapeDerivativeTests
{
    public static TheoryData<string> Cases => new() { "valley2d", "valley2d-unrotated", "valleynd-random", "valleynd-tilted", "quadratic-rotated", "quadratic-sharp" };

    private static ILandscape Build(string name) => name switch
    {
        "valley2d" => new NarrowingValley2D(a: 7, c: 0.3, angle: Math.PI / 6),
        "valley2d-unrotated" => new NarrowingValley2D(a: 2, c: 0.1, angle: 0),
        "valleynd-random" => NarrowingValleyND.RandomlyRotated(12, seed: 3, a: 5, c: 0.2),
        "valleynd-tilted" => NarrowingValleyND.Tilted(9, angle: 0.7, seed: 4, a: 3, c: 0.1),
        "quadratic-rotated" => Quadratic.Rotated([1, 2, 5, 10, 0.5, 3], s: 0.8, seed: 7),
        _ => Quadratic.DiagonalWithSharpCoordinate(5),
    };

    private static double[] Point(int n, int salt) => Orthogonal.Gaussians(n, 99, (uint)salt).Select(v => 0.7 * v + 0.3).ToArray();

    [Theory, MemberData(nameof(Cases))]
    public void GradientMatchesCentralDifferences(string name)
    {
        var f = Build(name); int n = f.Dimension;
        var x = Point(n, 1); var g = new double[n];
        f.Gradient(x, g);
        for (int i = 0; i < n; i++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
            var xp = (double[])x.Clone(); xp[i] += h;
            var xm = (double[])x.Clone(); xm[i] -= h;
            double fd = (f.Loss(xp) - f.Loss(xm)) / (2 * h);
            Assert.True(Math.Abs(fd - g[i]) <= 1e-6 * (1 + Math.Abs(g[i])), $"{name} ∂{i}: analytic {g[i]}, finite difference {fd}");
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void HessianVectorMatchesDifferenceOfGradients(string name)
    {
        var f = Build(name); int n = f.Dimension;
        var x = Point(n, 2); var v = Point(n, 3);
        var hv = new double[n]; f.HessianVector(x, v, hv);
        const double h = 1e-5;
        var gp = new double[n]; var gm = new double[n];
        f.Gradient(x.Select((xi, i) => xi + h * v[i]).ToArray(), gp);
        f.Gradient(x.Select((xi, i) => xi - h * v[i]).ToArray(), gm);
        for (int i = 0; i < n; i++)
        {
            double fd = (gp[i] - gm[i]) / (2 * h);
            Assert.True(Math.Abs(fd - hv[i]) <= 1e-6 * (1 + Math.Abs(hv[i])), $"{name} (Hv)_{i}: analytic {hv[i]}, finite difference {fd}");
        }
    }

    [Fact]
    public void Valley2DHasTheClosedFormAlongItsAxes()
    {
        var f = new NarrowingValley2D(a: 10, c: 0.1, angle: Math.PI / 6);
        // A point at valley coordinates (u, v) = (2, 0.5): L = a/2·4·0.25 − 0.2 = 4.8.
        double u = 2, v = 0.5, c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
        double[] x = [c * u - s * v, s * u + c * v];
        Assert.Equal(4.8, f.Loss(x), 12);
        Assert.Equal((u, v), f.ToValley(x[0], x[1]), (p, q) => Math.Abs(p.Item1 - q.Item1) < 1e-12 && Math.Abs(p.Item2 - q.Item2) < 1e-12);
    }

    [Fact]
    public void ValleyNDIsAxiallySymmetricAndMatches2DWhenUnrotated()
    {
        var nd = NarrowingValleyND.Unrotated(2, a: 4, c: 0.3);
        var d2 = new NarrowingValley2D(a: 4, c: 0.3, angle: 0);
        double[] x = [0.8, -0.6];
        Assert.Equal(d2.Loss(x), nd.Loss(x), 12);
        // Symmetry: rotating the cross-valley part leaves the loss unchanged.
        var r = NarrowingValleyND.RandomlyRotated(6, seed: 1, a: 3);
        var q = r.Axis; var w1 = Point(6, 5); var w2 = Point(6, 6);
        double[] Perp(double[] w) { double d = w.Zip(q, (a, b) => a * b).Sum(); return w.Select((wi, i) => wi - d * q[i]).ToArray(); }
        var p1 = Perp(w1); var p2 = Perp(w2);
        double n1 = Math.Sqrt(p1.Sum(v => v * v)), n2 = Math.Sqrt(p2.Sum(v => v * v));
        var x1 = p1.Select((v, i) => 1.5 * q[i] + v / n1 * 0.4).ToArray();
        var x2 = p2.Select((v, i) => 1.5 * q[i] + v / n2 * 0.4).ToArray();
        Assert.Equal(r.Loss(x1), r.Loss(x2), 10);
        Assert.Equal(0.5 * 3 * 1.5 * 1.5 * 0.16 - 0.1 * 1.5, r.Loss(x1), 10);
    }
}
