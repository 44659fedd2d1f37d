using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// The per-channel and per-row pieces of a BatchNorm1d → Linear (→ ReLU) block computed as one
/// operation (<c>Ops.BatchNormLinear</c>). With x̂ the normalised input, γ, β the batch-norm affine
/// parameters and W [out, in], b the linear layer:
///
///   z = (x̂·diag γ + β)·Wᵀ + b = x̂·W'ᵀ + b',  W' = W·diag γ,  b' = b + W·β,
///
/// so the block never stores the batch-norm output y = x̂γ + β (nor its gradient). Backward, with dz the
/// gradient of the pre-activation and G = dzᵀ·x̂ [out, in] (one product, the size of dW):
///
///   dW = G·diag γ + (Σ_rows dz)·βᵀ,   db = Σ_rows dz,
///   dγ = Σ_rows dy⊙x̂ = Σ_out W⊙G,     dβ = Σ_rows dy = Wᵀ·db,   where dy = dz·W,
///
/// and, only when the input needs a gradient, ĝ = dy⊙γ = dz·W' gives dx through the usual batch-norm
/// formula with Σ_rows ĝ = γ⊙dβ and Σ_rows ĝ⊙x̂ = γ⊙dγ. When the input is data (the MLP's first
/// block), dy is never formed: that saves the [rows, in] product and the batch-norm backward pass.
/// All identities are exact; only the rounding differs from the unfused composition.
/// </summary>
public static class BatchNormLinear
{
    /// <summary>W' = W·diag γ and b' = b + W·β (b may be null).</summary>
    public static void FoldParameters<T>(T[] w, T[] gamma, T[] beta, T[]? b, T[] foldedW, T[] foldedB, int outF, int inF)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outF; o++)
        {
            var row = w.AsSpan(o * inF, inF);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, gamma.AsSpan(0, inF), foldedW.AsSpan(o * inF, inF));
            foldedB[o] = (b is null ? T.Zero : b[o]) + System.Numerics.Tensors.TensorPrimitives.Dot<T>(row, beta.AsSpan(0, inF));
        }
    }

    /// <summary>z = z + b' per row, then max(z, 0) when <paramref name="relu"/>: the products' epilogue, one pass.</summary>
    public static void AddBiasActivate<T>(T[] z, T[] foldedB, int rows, int outF, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, outF, (r0, r1) => AddBiasActivateRows(z, foldedB, outF, relu, r0, r1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddBiasActivateRows<T>(T[] z, T[] bias, int n, bool relu, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (r1 <= r0) return;
        ref T br = ref bias.AsSpan(0, n)[0];
        _ = z.AsSpan(r0 * n, (r1 - r0) * n); // bounds
        int lanes = Vector256<T>.Count;
        int nv = Vector256.IsHardwareAccelerated ? n - n % lanes : 0;
        for (int r = r0; r < r1; r++)
        {
            ref T zr = ref z[r * n];
            int j = 0;
            for (; j < nv; j += lanes)
            {
                var v = Vector256.LoadUnsafe(ref zr, (nuint)j) + Vector256.LoadUnsafe(ref br, (nuint)j);
                if (relu) v = Vector256.Max(v, Vector256<T>.Zero);
                v.StoreUnsafe(ref zr, (nuint)j);
            }
            for (; j < n; j++)
            {
                T v = Unsafe.Add(ref zr, j) + Unsafe.Add(ref br, j);
                Unsafe.Add(ref zr, j) = relu && !(v > T.Zero) ? T.Zero : v;
            }
        }
    }

    /// <summary>
    /// dz = dout where the output is positive, else 0 (ReLU's subgradient 0 at 0, as PyTorch), written to
    /// <paramref name="dz"/>, and Σ_rows dz added to <paramref name="columnSum"/> in the same pass.
    /// Without ReLU dz is dout itself and only the sum is taken.
    /// </summary>
    public static void MaskAndSumColumns<T>(T[] output, T[] dout, T[] dz, bool relu, int rows, int n, Span<T> columnSum)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ColumnReduction.Sum<T>(rows, n, (int r0, int r1, Span<T> part) => MaskRows(output, dout, dz, relu, n, r0, r1, part), columnSum);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaskRows<T>(T[] output, T[] dout, T[] dz, bool relu, int n, int r0, int r1, Span<T> part) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (r1 <= r0) return;
        ref T sr = ref part[..n][0];
        _ = output.AsSpan(r0 * n, (r1 - r0) * n); _ = dout.AsSpan(r0 * n, (r1 - r0) * n); _ = dz.AsSpan(r0 * n, (r1 - r0) * n); // bounds
        int lanes = Vector256<T>.Count;
        int nv = Vector256.IsHardwareAccelerated ? n - n % lanes : 0;
        for (int r = r0; r < r1; r++)
        {
            ref T yr = ref output[r * n]; ref T gr = ref dout[r * n]; ref T dr = ref dz[r * n];
            int j = 0;
            for (; j < nv; j += lanes)
            {
                var g = Vector256.LoadUnsafe(ref gr, (nuint)j);
                if (relu)
                {
                    g = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref yr, (nuint)j), Vector256<T>.Zero), g, Vector256<T>.Zero);
                    g.StoreUnsafe(ref dr, (nuint)j);
                }
                (Vector256.LoadUnsafe(ref sr, (nuint)j) + g).StoreUnsafe(ref sr, (nuint)j);
            }
            for (; j < n; j++)
            {
                T g = Unsafe.Add(ref gr, j);
                if (relu)
                {
                    if (!(Unsafe.Add(ref yr, j) > T.Zero)) g = T.Zero;
                    Unsafe.Add(ref dr, j) = g;
                }
                Unsafe.Add(ref sr, j) += g;
            }
        }
    }

    /// <summary>
    /// From G = dzᵀ·x̂ and db = Σ_rows dz: dW += G·diag γ + db·βᵀ, dbias += db, and this block's
    /// dγ = Σ_out W⊙G and dβ = Wᵀ·db, written to <paramref name="gammaGrad"/>/<paramref name="betaGrad"/>
    /// (overwritten: the input gradient needs them before they are added to the parameters' gradients).
    /// </summary>
    public static void ParameterGradients<T>(T[] g, T[] columnSum, T[] w, T[] gamma, T[] beta, T[]? dw, T[]? dbias,
        Span<T> gammaGrad, Span<T> betaGrad, int outF, int inF) where T : unmanaged, IFloatingPointIeee754<T>
    {
        gammaGrad.Clear();
        betaGrad.Clear();
        for (int o = 0; o < outF; o++)
        {
            var gRow = g.AsSpan(o * inF, inF);
            var wRow = w.AsSpan(o * inF, inF);
            T db = columnSum[o];
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(wRow, gRow, gammaGrad, gammaGrad);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(wRow, db, betaGrad, betaGrad);
            if (dw is not null)
            {
                var dwRow = dw.AsSpan(o * inF, inF);
                // dW_oj += G_oj·γ_j + db_o·β_j
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gRow, gamma.AsSpan(0, inF), dwRow, dwRow);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(beta.AsSpan(0, inF), db, dwRow, dwRow);
            }
            if (dbias is not null) dbias[o] += db;
        }
    }
}
