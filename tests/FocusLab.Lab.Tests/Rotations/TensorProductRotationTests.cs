using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Tests.Rotations;

public class TensorProductRotationTests
{
    [Theory]
    [InlineData(1000, 3)]  // 10×10×10
    [InlineData(997, 2)]   // prime: rotates 9·9·12 = 972 coordinates per round, leftovers pass through
    [InlineData(60, 1)]
    public void Preserves_norms_and_its_transpose_inverts_it(int d, int rounds)
    {
        var r = new TensorProductRotation(d, rounds, seed: 5);
        RotationAssert.IsOrthogonalOn(r, TestProblemsShim.Gaussian(d, 1), 1e-12);
    }

    [Fact]
    public void Materialised_matrix_is_orthogonal_dense_and_its_transpose_is_apply_transpose()
    {
        int d = 64;
        var r = new TensorProductRotation(d, 2, seed: 9);
        var m = new double[d * d];
        var e = new double[d];
        var col = new double[d];
        for (int j = 0; j < d; j++)
        {
            e[j] = 1;
            r.Apply(e, col);
            for (int i = 0; i < d; i++) m[i * d + j] = col[i];
            e[j] = 0;
        }
        OrthogonalMatrixTests.AssertOrthogonal(m, d, 1e-12);
        Assert.True(m.Count(v => Math.Abs(v) > 1e-12) > d * d / 2); // mixes coordinates, not a permutation
        var x = TestProblemsShim.Gaussian(d, 2);
        var viaT = new double[d];
        r.ApplyTranspose(x, viaT);
        for (int i = 0; i < d; i++)
        {
            double s = 0;
            for (int k = 0; k < d; k++) s += m[k * d + i] * x[k];
            Assert.Equal(s, viaT[i], 1e-12);
        }
    }

    [Fact]
    public void Large_vectors_use_all_cores_and_stay_exact_and_deterministic()
    {
        int d = 1 << 15; // 32³: d·32 multiply-adds per axis, above the parallel threshold (2¹⁸)
        var r1 = new TensorProductRotation(d, 2, seed: 3);
        var r2 = new TensorProductRotation(d, 2, seed: 3);
        Assert.Equal((32, 32, 32), r1.Shape);
        var x = TestProblemsShim.Gaussian(d, 4);
        double[] y1 = new double[d], y2 = new double[d], back = new double[d];
        r1.Apply(x, y1);
        r2.Apply(x, y2);
        Assert.True(y1.AsSpan().SequenceEqual(y2), "same seed must give bit-identical rotations");
        // On one thread (as the network study runs it, one rotation per core) the result is bit-identical too.
        var serial = new double[d];
        new TensorProductRotation(d, 2, seed: 3) { Threads = 1 }.Apply(x, serial);
        Assert.True(y1.AsSpan().SequenceEqual(serial), "the thread count must not change the rotation");
        Assert.Equal(RotationAssert.Norm(x), RotationAssert.Norm(y1), 1e-10 * RotationAssert.Norm(x));
        r1.ApplyTranspose(y1, back);
        double err = 0;
        for (int i = 0; i < d; i++) err = Math.Max(err, Math.Abs(back[i] - x[i]));
        Assert.True(err < 1e-12, $"max |RᵀRx − x| = {err}");
    }

    [Fact]
    public void Factorisation_prefers_exact_near_cubic_shapes()
    {
        Assert.Equal((10, 10, 10), TensorProductRotation.Factor(1000));
        var (a, b, c) = TensorProductRotation.Factor(997);
        Assert.True(a * b * c <= 997 && a * b * c > 900);
        Assert.Throws<ArgumentException>(() => new TensorProductRotation(100, 1, 0, (5, 5, 5)));
    }

}

internal static class TestProblemsShim
{
    public static double[] Gaussian(int n, int seed) => SliceDirections.Gaussian(n, seed);
}
