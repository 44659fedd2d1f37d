using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Rotations;

/// <summary>
/// The matrix rotation of the geometry study (docs/equations.md#muon): every weight matrix block W of the flat
/// parameter vector is reparametrised W = U·W'·Vᵀ with its own fixed Haar orthogonal U (rows×rows) and V (cols×cols),
/// and every other coordinate passes through unchanged. As a map of ℝᵈ it is block-diagonal with blocks V ⊗ U
/// (orthogonal), so it is an <see cref="IRotation"/>: R x applies U·X·Vᵀ blockwise, Rᵀ y applies Uᵀ·Y·V.
/// It keeps every block's singular values, so the spectral-norm geometry (Muon's) cannot see it, while the
/// coordinate-wise (ℓ∞) geometry of adam and the sign methods can.
/// <para>The products run on the engine's float32 GEMM (a 784×784 V is applied every step of the MLP study):
/// R is orthogonal to float32 rounding, the precision of the float32 model it feeds. Deterministic for any core count.
/// Not thread-safe (shared scratch).</para>
/// </summary>
internal sealed class MatrixBlockRotation : IRotation
{
    private readonly (MatrixBlock Block, float[] U, float[] V)[] _blocks;
    private readonly float[] _in, _mid, _out;

    /// <summary>Draws U and V of every block from <paramref name="seed"/> (QR of a Gaussian with the sign fix, <see cref="OrthogonalMatrices.RandomHaar"/>).</summary>
    public MatrixBlockRotation(int dimension, IReadOnlyList<MatrixBlock> blocks, int seed)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be at least 1.");
        MatrixBlock.Validate(blocks, dimension);
        var rng = new SeededRandom(seed);
        _blocks = blocks.Select(b => (b,
            ToFloat(OrthogonalMatrices.RandomHaar(b.Rows, rng.NextInt(int.MaxValue))),
            ToFloat(OrthogonalMatrices.RandomHaar(b.Cols, rng.NextInt(int.MaxValue))))).ToArray();
        int max = blocks.Count == 0 ? 0 : blocks.Max(b => b.Count);
        _in = new float[max];
        _mid = new float[max];
        _out = new float[max];
        Dimension = dimension;
        Blocks = blocks.ToArray();
    }

    /// <summary>The rotation of <paramref name="model"/>'s weight matrices (<see cref="MuonMatrices"/>), seeded.</summary>
    public static MatrixBlockRotation ForModel(Module<float> model, int seed) =>
        new(checked((int)model.ParameterCount), MuonMatrices(model), seed);

    /// <summary>
    /// The tensors Muon treats as matrices in <see cref="OptimParameters.MuonGroups"/> (rank 2, decayed, not an
    /// embedding or output head), as blocks of the model's flat parameter vector (parameter order, row-major).
    /// </summary>
    public static MatrixBlock[] MuonMatrices(Module<float> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var blocks = new List<MatrixBlock>();
        int offset = 0;
        foreach (var p in model.Parameters)
        {
            if (p.Shape.Length == 2 && p.WeightDecay && !p.IsEmbeddingOrHead) blocks.Add(new MatrixBlock(offset, p.Shape[0], p.Shape[1]));
            offset = checked(offset + p.Length);
        }
        return blocks.ToArray();
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>The rotated blocks; every other coordinate is left alone.</summary>
    public IReadOnlyList<MatrixBlock> Blocks { get; }

    /// <summary>y ← R x: U·X·Vᵀ on every block, identity elsewhere.</summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y) => Map(x, y, transpose: false);

    /// <summary>y ← Rᵀ x: Uᵀ·X·V on every block, identity elsewhere.</summary>
    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y) => Map(x, y, transpose: true);

    private void Map(ReadOnlySpan<double> x, Span<double> y, bool transpose)
    {
        if (x.Length != Dimension || y.Length != Dimension)
            throw new ArgumentException($"The rotation has dimension {Dimension}; got vectors of length {x.Length} and {y.Length}.");
        x.CopyTo(y);
        foreach (var (b, u, v) in _blocks)
        {
            int m = b.Rows, n = b.Cols, count = b.Count;
            var input = _in.AsSpan(0, count);
            var mid = _mid.AsSpan(0, count);
            var output = _out.AsSpan(0, count);
            System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(x.Slice(b.Offset, count), input);
            // R: (U·X)·Vᵀ. Rᵀ: (Uᵀ·X)·V.
            Gemm.Multiply<float>(transpose, false, m, n, m, u, input, mid);
            Gemm.Multiply<float>(false, !transpose, m, n, n, mid, v, output);
            System.Numerics.Tensors.TensorPrimitives.ConvertChecked<float, double>(output, y.Slice(b.Offset, count));
        }
    }

    private static float[] ToFloat(double[] a) => a.Select(v => (float)v).ToArray();
}
