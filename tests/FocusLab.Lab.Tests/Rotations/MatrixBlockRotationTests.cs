using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;
using FocusLab.Optim;

namespace FocusLab.Lab.Tests.Rotations;

public class MatrixBlockRotationTests
{
    private static readonly MatrixBlock[] Blocks = [new(3, 4, 6), new(30, 5, 2)];
    private const int D = 45; // coordinates 0–2, 27–29 and 40–44 belong to no block

    private static double[] Gaussian(int n, int seed)
    {
        var x = new double[n];
        new SeededRandom(seed).FillGaussian(x);
        return x;
    }

    [Fact]
    public void Is_orthogonal_to_float32_rounding_and_leaves_other_coordinates_alone()
    {
        var r = new MatrixBlockRotation(D, Blocks, seed: 4);
        var x = Gaussian(D, 1);
        var y = new double[D];
        RotationAssert.IsOrthogonalOn(r, x, 1e-5);
        // Outside the blocks: the identity, exactly.
        r.Apply(x, y);
        foreach (int i in new[] { 0, 1, 2, 27, 28, 29, 40, 41, 42, 43, 44 }) Assert.Equal(x[i], y[i]);
        // Inside: really rotated.
        Assert.True(Enumerable.Range(3, 24).Max(i => Math.Abs(x[i] - y[i])) > 0.1);
    }

    [Fact]
    public void Acts_on_each_block_as_U_X_Vt_with_orthogonal_U_and_V()
    {
        // Materialise R on one block through unit vectors; R = V ⊗ U means R(e_ij) = u_i v_jᵀ, i.e. entry (k, l) of
        // R(E_ij) is U[k,i]·V[l,j]. Recover U and V from two columns and check both are orthogonal and reproduce R.
        var block = new MatrixBlock(0, 3, 4);
        var r = new MatrixBlockRotation(12, [block], seed: 8);
        var e = new double[12];
        var col = new double[12];
        var images = new double[12][];
        for (int j = 0; j < 12; j++) { e[j] = 1; r.Apply(e, col); images[j] = (double[])col.Clone(); e[j] = 0; }
        // Sum of squares of image entries: rank-one structure u_i v_jᵀ has ‖·‖ = 1, and images are orthonormal.
        for (int a = 0; a < 12; a++)
            for (int b = 0; b < 12; b++)
                Assert.Equal(a == b ? 1.0 : 0.0, images[a].Zip(images[b], (p, q) => p * q).Sum(), 1e-5);
        foreach (var img in images)
        {
            // Rank one: every 2×2 minor of the 3×4 image vanishes.
            for (int k = 0; k < 3; k++)
                for (int l = 0; l < 4; l++)
                    Assert.Equal(img[k * 4 + l] * img[0], img[k * 4] * img[l], 1e-5);
        }
    }

    [Fact]
    public void Rotates_exactly_the_tensors_muon_treats_as_matrices()
    {
        var model = new Mlp<float>(new MlpConfig(Inputs: 6, Hidden: 8, Depth: 2, Classes: 3), seed: 1);
        var blocks = MatrixBlockRotation.MuonMatrices(model);
        var muon = (Muon)OptimizerFactory.Create("muon:lr=0.01,aux=adam:lr=0.001", model.MuonGroups(0));
        int offset = 0;
        var muonOffsets = new List<int>();
        foreach (var p in model.Parameters)
        {
            if (muon.IsMuonParameter(p.AsOptimParameter())) muonOffsets.Add(offset);
            offset += p.Length;
        }
        Assert.Equal(muonOffsets, blocks.Select(b => b.Offset));
        Assert.Equal(2, blocks.Length); // the two hidden layers; the head goes to the auxiliary optimizer
        var shapes = model.Parameters.Where(p => muon.IsMuonParameter(p.AsOptimParameter())).Select(p => (p.Shape[0], p.Shape[1]));
        Assert.Equal(shapes, blocks.Select(b => (b.Rows, b.Cols)));
    }

    [Fact]
    public void Refuses_overlapping_or_outside_blocks()
    {
        Assert.Contains("overlap", Assert.Throws<ArgumentException>(() => new MatrixBlockRotation(40, [new(0, 3, 3), new(8, 2, 2)], 1)).Message);
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() => new MatrixBlockRotation(10, [new(4, 3, 3)], 1)).Message);
    }
}
