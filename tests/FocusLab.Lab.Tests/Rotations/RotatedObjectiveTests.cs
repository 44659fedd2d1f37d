using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Tests.Rotations;

public class RotatedObjectiveTests
{
    private const int D = 27;
    private static readonly double[] Spectrum = Enumerable.Range(0, D).Select(i => Math.Pow(10, -2.0 * i / (D - 1))).ToArray();

    [Fact]
    public void Gradient_and_hvp_are_those_of_l_of_rx()
    {
        var inner = QuadraticObjective.Diagonal(Spectrum, b: SliceDirections.Gaussian(D, 1));
        var r = new DenseRotation(OrthogonalMatrices.RandomHaar(D, 2), D);
        var rot = new RotatedObjective(inner, r);
        var x = SliceDirections.Gaussian(D, 3);
        var g = new double[D];
        double loss = rot.Gradient(x, g);
        var rx = new double[D];
        r.Apply(x, rx);
        Assert.Equal(inner.Loss(rx), loss, 12);
        // central differences of the loss as the independent check of the gradient
        for (int i = 0; i < D; i++)
        {
            var p = x.ToArray(); p[i] += 1e-5;
            var m = x.ToArray(); m[i] -= 1e-5;
            Assert.Equal((rot.Loss(p) - rot.Loss(m)) / 2e-5, g[i], 1e-7);
        }
        // Hessian of the rotated quadratic is RᵀΛR
        var v = SliceDirections.Gaussian(D, 4);
        var hv = new double[D];
        rot.HessianVectorProduct(x, v, hv);
        var q = r.ToArray();
        for (int i = 0; i < D; i++)
        {
            double s = 0;
            for (int k = 0; k < D; k++)
            {
                double rv = 0;
                for (int j = 0; j < D; j++) rv += q[k * D + j] * v[j];
                s += q[k * D + i] * Spectrum[k] * rv;
            }
            Assert.Equal(s, hv[i], 1e-12);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sgd_trajectory_is_unchanged_by_rotation_but_adams_is_not(bool tensorRotation)
    {
        IRotation r = tensorRotation ? new TensorProductRotation(D, 2, seed: 6) : new DenseRotation(OrthogonalMatrices.RandomHaar(D, 6), D);
        var inner = QuadraticObjective.Diagonal(Spectrum);
        var rotated = new RotatedObjective(inner, r);
        var y0 = SliceDirections.Gaussian(D, 7);
        var x0 = new double[D];
        r.ApplyTranspose(y0, x0); // same starting point seen through R: R x₀ = y₀

        var plainSgd = ObjectiveTraining.Run(inner, y0, "sgd:lr=0.5,momentum=0.9", 200);
        var rotSgd = ObjectiveTraining.Run(rotated, x0, "sgd:lr=0.5,momentum=0.9", 200);
        for (int t = 0; t <= 200; t++) Assert.Equal(plainSgd.Losses[t], rotSgd.Losses[t], 1e-5 * plainSgd.Losses[0]);
        var rxT = new double[D];
        r.Apply(rotSgd.FinalPoint, rxT);
        for (int i = 0; i < D; i++) Assert.Equal(plainSgd.FinalPoint[i], rxT[i], 1e-5);

        var plainAdam = ObjectiveTraining.Run(inner, y0, "adam:lr=0.05", 200);
        var rotAdam = ObjectiveTraining.Run(rotated, x0, "adam:lr=0.05", 200);
        double maxRel = Enumerable.Range(1, 200).Max(t => Math.Abs(plainAdam.Losses[t] - rotAdam.Losses[t]) / plainAdam.Losses[0]);
        Assert.True(maxRel > 1e-2, $"adam's loss curve moved by at most {maxRel:E2} under rotation");
    }
}
